"""Kudos: a requester who confirmed a request thanks the agent who served it and the provider
department, once per request; the agent is told through the outbox."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services import queue
from tickets import letters
from tickets.models import KUDOS_MAX_LENGTH, Event, Kudos, Status, Ticket
from tickets.services import TicketError, _locked, _log


class AlreadyThanked(TicketError):
    """The requester has thanked for this request already."""


def thanked_agent(ticket: Ticket):
    """Whoever resolved the request last, else its assignee (None when neither is known)."""
    return ticket.resolved_by or ticket.assignee


def may_thank(user, ticket: Ticket) -> bool:
    """Whether the request page offers `user` to thank for `ticket` now."""
    return (
        user.pk == ticket.requester_id
        and ticket.status == Status.CLOSED
        and not Kudos.objects.filter(ticket=ticket).exists()
    )


@transaction.atomic
def kudos_give(*, ticket_id: int, by, message: str) -> Kudos:
    """Thank the agent and the provider department for a confirmed request (its requester,
    once); the thanks join the timeline and the agent is told."""
    text = " ".join(message.split())
    if not text:
        raise ValidationError({"message": _("Write a few words of thanks.")})
    if len(text) > KUDOS_MAX_LENGTH:
        raise ValidationError(
            {"message": _("Keep it under %(limit)d characters.") % {"limit": KUDOS_MAX_LENGTH}}
        )
    ticket = _locked(ticket_id, None)
    if by.pk != ticket.requester_id:
        raise PermissionDenied(_("Only the requester may thank for this request."))
    if ticket.status != Status.CLOSED:
        raise TicketError(_("Thanks can be given once the request is confirmed."))
    if Kudos.objects.filter(ticket=ticket).exists():
        raise AlreadyThanked(_("You have already thanked for this request."))
    now = timezone.now()
    agent = thanked_agent(ticket)
    try:
        with transaction.atomic():
            kudos = Kudos.objects.create(
                ticket=ticket,
                given_by=by,
                agent=agent,
                department_id=ticket.provider_id,
                message=text,
                given_at=now,
            )
    except IntegrityError:  # the same thanks sent twice at once
        raise AlreadyThanked(_("You have already thanked for this request.")) from None
    event = _log(ticket, Event.Kind.THANKED, by, now, text=text)
    if agent is not None and agent.pk != by.pk:
        queue(letters.THANKED, event, [agent])
    return kudos


def kudos_on_confirming(*, ticket_id: int, by, message: str) -> Kudos | None:
    """The thanks written in a confirm form, if any (a closed request is never reopened, so
    confirming is always before any thanks)."""
    if not message.strip():
        return None
    return kudos_give(ticket_id=ticket_id, by=by, message=message)
