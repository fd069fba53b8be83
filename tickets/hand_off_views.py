"""The pages of hand-offs: opening a child request to another department's service from a
request's page, and detaching one. The parent is read through `visible_to` (404 otherwise);
only its provider's agents may act (403 for the others who see it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tickets import hand_offs, services
from tickets.hand_off_forms import DetachForm, HandOffForm, HandOffServiceForm
from tickets.models import Ticket
from tickets.request_page import _incomplete, _run, _visible
from tickets.services import TicketError
from tickets.uploads import atomic_with_files
from tickets.workflow import HandOffAction, Role, may_hand_off


@require_http_methods(["GET", "POST"])
def hand_off_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the other department's service (?service=), then fill in its form."""
    parent = _visible(request, pk)
    roles = services.roles_of(request.user, parent)
    if Role.AGENT not in roles:
        raise PermissionDenied(_("Only the provider department's agents hand a request off."))
    context = {
        "parent": parent,
        "open": may_hand_off(parent.status, HandOffAction.OPEN_CHILD, roles),
    }
    chooser = HandOffServiceForm(request.GET or None, parent=parent)
    if not chooser.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(
            request, "tickets/hand_off_form.html", {**context, "chooser": chooser}, status=status
        )
    service = chooser.cleaned_data["service"]
    posted = request.method == "POST"
    form = HandOffForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        service=service,
        user=request.user,
        parent=parent,
    )
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            try:
                child = _open_with_attachments(request.user, parent, service, form)
            except ValidationError as error:
                form.add_service_error(error)
            except (TicketError, PermissionDenied) as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Hand-off %(reference)s opened with %(provider)s.")
                    % {"reference": child.reference, "provider": service.provider},
                )
                return redirect(parent)
    context.update({"chooser": chooser, "service": service, "form": form})
    return render(request, "tickets/hand_off_form.html", context, status=status)


@atomic_with_files()
def _open_with_attachments(user, parent: Ticket, service, form: HandOffForm) -> Ticket:
    """Open the hand-off and keep its files, all or nothing."""
    data = form.cleaned_data
    child = hand_offs.ticket_open_child(
        parent_id=parent.pk,
        by=user,
        service=service,
        title=data["title"],
        description=data["description"],
        priority=data["priority"],
        answers=form.answers(),
    )
    for upload in form.uploads():
        services.ticket_attach(ticket_id=child.pk, by=user, upload=upload)
    return child


@require_POST
def hand_off_detach(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _visible(request, pk)
    form = DetachForm(request.POST)
    if not form.is_valid():
        return _incomplete(request, parent, form)
    return _run(
        request,
        parent,
        lambda: hand_offs.ticket_detach_child(
            parent_id=parent.pk, child_id=form.cleaned_data["child"], by=request.user
        ),
        _("The hand-off is detached: the request no longer waits on it."),
    )
