"""Acting from the queue: "Assign to me" or to a colleague on one row, and bulk actions on the
rows ticked. Both go back to the queue as it was filtered (its query string travels with the
form's address); a refused single assignment shows the request page with the reason and the
status that says it (409 when it changed meanwhile), as the request page's own form does."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tickets import bulk, services
from tickets.queue_forms import BulkActionForm, QueueAssignForm, resolve_assignee
from tickets.request_page import _incomplete, _run, _visible


def _back_to_queue(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("tickets:queue") + (f"?{query}" if query else "")


@require_POST
def queue_assign(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _visible(request, pk)
    form = QueueAssignForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, ticket, form)
    assignee = resolve_assignee(form.cleaned_data["assignee"], request.user)
    if assignee is None:
        form.add_error("assignee", _("Choose a colleague of the department."))
        return _incomplete(request, ticket, form)
    response = _run(
        request,
        ticket,
        lambda: services.ticket_assign(
            ticket_id=ticket.pk,
            by=request.user,
            assignee=assignee,
            expected_version=form.cleaned_data["version"],
        ),
        _("%(reference)s assigned to %(person)s.")
        % {
            "reference": ticket.reference,
            "person": assignee.get_full_name() or assignee.get_username(),
        },
    )
    if response.status_code == 302:
        return redirect(_back_to_queue(request))
    return response


@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    assignee = None
    if form.is_valid() and form.cleaned_data["action"] == "assign":
        assignee = resolve_assignee(form.cleaned_data["assignee"], request.user)
        if assignee is None:
            form.add_error("assignee", _("Choose a colleague of the department."))
    if form.errors:
        context = {"form": form, "back": _back_to_queue(request)}
        return render(request, "tickets/bulk_refused.html", context, status=400)
    outcomes = bulk.bulk_act(
        by=request.user,
        rows=form.cleaned_data["tickets"],
        action=form.cleaned_data["action"],
        assignee=assignee,
        priority=form.cleaned_data["priority"],
    )
    done = sum(outcome.done for outcome in outcomes)
    if done:
        messages.success(
            request,
            ngettext("%(count)d request updated.", "%(count)d requests updated.", done)
            % {"count": done},
        )
    for outcome in outcomes:
        if not outcome.done:
            reference = outcome.reference or f"#{outcome.ticket_id}"
            messages.error(
                request,
                _("%(reference)s not updated: %(reason)s")
                % {"reference": reference, "reason": outcome.problem},
            )
    return redirect(_back_to_queue(request))
