"""Canned replies: each department's agents and head keep the replies they often write (list,
add, edit, delete; a reply of another department is a 404), and pick one in a request's comment
box. Without JavaScript, picking reloads the request page with the reply's text in the box."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tickets import selectors
from tickets.models import CannedReply, Ticket
from tickets.queue_forms import CannedReplyChoiceForm, CannedReplyForm


def comment_box(request: HttpRequest, ticket: Ticket) -> dict:
    """For an agent on a request page: the provider's canned replies, and the text of the one
    picked (?reply=<id>) to put in the comment box."""
    replies = list(
        CannedReply.objects.managed_by(request.user).filter(department=ticket.provider_id)
    )
    form = CannedReplyChoiceForm(request.GET)
    picked = form.cleaned_data["reply"] if form.is_valid() else None
    chosen = next((reply for reply in replies if reply.pk == picked), None)
    return {"canned_replies": replies, "comment_text": chosen.text if chosen else ""}


def _departments(request: HttpRequest):
    departments = selectors.queue_departments(request.user)
    if not departments.exists():
        raise PermissionDenied(
            _("Canned replies are for a department's agents and head; you are neither.")
        )
    return departments


def canned_reply_list(request: HttpRequest) -> HttpResponse:
    departments = _departments(request)
    replies = CannedReply.objects.managed_by(request.user).filter(department__in=departments)
    context = {"replies": replies.select_related("department", "updated_by")}
    return render(request, "tickets/canned_replies.html", context)


def canned_reply_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, CannedReply())


def canned_reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(CannedReply.objects.managed_by(request.user), pk=pk))


def _edit(request: HttpRequest, reply: CannedReply) -> HttpResponse:
    form = CannedReplyForm(
        request.POST if request.method == "POST" else None,
        instance=reply,
        departments=_departments(request),
    )
    if request.method == "POST" and form.is_valid():
        form.instance.updated_by = request.user
        form.save()
        messages.success(request, _("Canned reply “%(title)s” saved.") % {"title": reply.title})
        return redirect("tickets:canned_replies")
    status = 400 if form.is_bound else 200
    return render(
        request, "tickets/canned_reply_form.html", {"form": form, "reply": reply}, status=status
    )


@require_POST
def canned_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(CannedReply.objects.managed_by(request.user), pk=pk)
    reply.delete()
    messages.success(request, _("Canned reply “%(title)s” deleted.") % {"title": reply.title})
    return redirect("tickets:canned_replies")
