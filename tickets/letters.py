"""The messages a request sends (outbox kinds): what each says and when it no longer holds.

Each is checked again just before it is sent: the e-mail about a new request is withdrawn once
someone took it on, a breach once its target was met or the request closed, an approval request
once the step was decided, and so on (outbox.models.Message.CancelReason)."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Membership
from outbox.kinds import Kind, kind_of, register
from outbox.models import Message
from outbox.sending import load
from tickets.approval_links import approval_link_path
from tickets.confirm_links import confirm_link_path
from tickets.models import (
    OPEN_STATUSES,
    Breach,
    Status,
    Target,
    TargetWarning,
    Ticket,
)

Reason = Message.CancelReason

FILED = "tickets.filed"
APPROVAL_NEEDED = "tickets.approval_needed"
INPUT_NEEDED = "tickets.input_needed"
RESOLVED = "tickets.resolved"
REOPENED = "tickets.reopened"
REJECTED = "tickets.rejected"
CANCELLED = "tickets.cancelled"
BREACH = "tickets.breach"
WARNING = "tickets.warning"
ESCALATION = "tickets.escalation"
CONFIRM_REMINDER = "tickets.confirm_reminder"
DIGEST = "tickets.digest"
HAND_OFF_RESOLVED = "tickets.hand_off_resolved"

# What every request e-mail shows of its request, read with the row it is about.
TICKET = (
    "ticket__provider",
    "ticket__customer",
    "ticket__service",
    "ticket__requester",
    "ticket__assignee",
    "ticket__agreement__calendar",
)


def _closed(ticket: Ticket) -> str:
    return "" if ticket.status in OPEN_STATUSES else Reason.REQUEST_CLOSED


def _event_context(message: Message) -> dict:
    return {"ticket": message.about.ticket, "event": message.about}


def _filed_withdrawn(message: Message) -> str:
    ticket = message.about.ticket
    return _closed(ticket) or (Reason.TAKEN_ON if ticket.first_responded_at else "")


def _while_status(status: str):
    """Withdrawn once the request has left `status` (answered, confirmed, reopened…)."""

    def withdrawn(message: Message) -> str:
        ticket = message.about.ticket
        # Checked first: a resolved request is no longer open, yet its e-mail still holds.
        if ticket.status == status:
            return ""
        return _closed(ticket) or Reason.STATUS_CHANGED

    return withdrawn


def _approval_context(message: Message) -> dict:
    approval = message.about
    # Signed when sent, so that the link's week of validity starts with the e-mail.
    return {
        "ticket": approval.ticket,
        "approval": approval,
        "approval_link": approval_link_path(approval),
    }


def _approval_withdrawn(message: Message) -> str:
    approval = message.about
    return Reason.STEP_DECIDED if approval.decision else _closed(approval.ticket)


def alert_withdrawn(alert: Breach | TargetWarning) -> str:
    """Why an alert no longer applies ("" while it does): the request closed or moved to another
    agreement, the target was met, or a warning was overtaken by its breach."""
    ticket = alert.ticket
    if ticket.status not in OPEN_STATUSES:
        return Reason.REQUEST_CLOSED
    if ticket.agreement_id != alert.agreement_id:
        return Reason.MOVED
    met = {
        Target.FIRST_RESPONSE: ticket.first_responded_at is not None,
        Target.RESOLUTION: ticket.resolved_at is not None,
        Target.APPROVAL: bool(alert.approval and alert.approval.decision),
        Target.REQUESTER_ANSWER: ticket.requester_answered_at is not None
        or ticket.status != Status.WAITING,
    }
    if met[alert.target]:
        return Reason.TARGET_MET
    if (
        isinstance(alert, TargetWarning)
        and Breach.objects.filter(
            ticket_id=alert.ticket_id, target=alert.target, step=alert.step
        ).exists()
    ):
        return Reason.BREACHED
    return ""


def _alert_context(message: Message) -> dict:
    return {"ticket": message.about.ticket, "alert": message.about, "sent_at": timezone.now()}


def _escalation_context(message: Message) -> dict:
    escalation = message.about
    return {
        "ticket": escalation.breach.ticket,
        "alert": escalation.breach,
        "escalation": escalation,
        "sent_at": timezone.now(),
    }


def _digest_context(message: Message) -> dict:
    """The messages a digest gathered, oldest first: alerts with their due time, any other kind
    as its one-line title and link (rendered in the reader's language, when the e-mail is)."""
    gathered = load(list(message.gathered.values_list("pk", flat=True)))
    gathered.sort(key=lambda item: (item.created_at, item.pk))
    items = []
    for item in gathered:
        if item.about_id is not None and item.about is None:
            continue
        if isinstance(item.about, Breach | TargetWarning):
            items.append({"alert": item.about, "missed": isinstance(item.about, Breach)})
        else:
            kind = kind_of(item)
            items.append(
                {
                    "title": partial(kind.title, item),
                    "link": kind.link(item),
                }
            )
    return {"gathered": items, "only_alerts": all("alert" in item for item in items)}


def _provider(about) -> list[int]:
    return [about.ticket.provider_id]


def _alert_departments(alert: Breach | TargetWarning) -> list[int]:
    """The group that hears of an alert: the customer's for its own duty (answering the
    provider's questions), the provider's for every other target."""
    if alert.target == Target.REQUESTER_ANSWER:
        return [alert.ticket.customer_id]
    return [alert.ticket.provider_id]


def _ticket_page(message: Message) -> str:
    return message.about.ticket.get_absolute_url()


register(
    Kind(
        FILED,
        "tickets/filed",
        _event_context,
        _filed_withdrawn,
        (*TICKET, "actor"),
        _provider,
        label=_("A request is filed with your department"),
        link=_ticket_page,
    )
)
register(
    Kind(
        APPROVAL_NEEDED,
        "tickets/approval_needed",
        _approval_context,
        _approval_withdrawn,
        TICKET,
        _provider,
        label=_("Your approval is needed"),
        link=_ticket_page,
    )
)
register(
    Kind(
        INPUT_NEEDED,
        "tickets/input_needed",
        _event_context,
        _while_status(Status.WAITING),
        (*TICKET, "actor"),
        # Waiting on the requester: the customer department's group hears of it.
        lambda about: [about.ticket.customer_id],
        label=_("A request waits on your answer"),
        link=_ticket_page,
    )
)


def _resolved_context(message: Message) -> dict:
    """The requester's e-mail carries the signed link to confirm without logging in (signed when
    sent); watchers and group chats, who may not confirm, never see it."""
    context = _event_context(message)
    ticket = context["ticket"]
    context["confirm_zone"] = _zone(ticket)
    if message.recipient_id == ticket.requester_id and ticket.status == Status.RESOLVED:
        context["confirm_link"] = confirm_link_path(ticket)
    return context


def _confirm_reminder_context(message: Message) -> dict:
    ticket = message.about
    context = {"ticket": ticket, "confirm_zone": _zone(ticket)}
    if message.recipient_id == ticket.requester_id and ticket.status == Status.RESOLVED:
        context["confirm_link"] = confirm_link_path(ticket)
    return context


def _zone(ticket: Ticket) -> str:
    """The time zone of the request's calendar (the confirmation period runs on it)."""
    return ticket.agreement.calendar.time_zone if ticket.agreement else settings.TIME_ZONE


def _while_awaiting_confirmation(message: Message) -> str:
    ticket = message.about
    if ticket.status == Status.RESOLVED:
        return ""
    return _closed(ticket) or Reason.STATUS_CHANGED


register(
    Kind(
        RESOLVED,
        "tickets/resolved",
        _resolved_context,
        _while_status(Status.RESOLVED),
        (*TICKET, "actor"),
        label=_("A request is resolved"),
        link=_ticket_page,
    )
)
register(
    Kind(
        REOPENED,
        "tickets/reopened",
        _event_context,
        _while_status(Status.REOPENED),
        (*TICKET, "actor"),
        label=_("A request is reopened"),
        link=_ticket_page,
    )
)
register(
    Kind(
        CONFIRM_REMINDER,
        "tickets/confirm_reminder",
        _confirm_reminder_context,
        _while_awaiting_confirmation,
        tuple(path.removeprefix("ticket__") for path in TICKET),
        # Like a question waiting on the requester: the customer department's group hears of it.
        lambda about: [about.customer_id],
        label=_("A resolved request awaits your confirmation"),
        link=lambda message: message.about.get_absolute_url(),
    )
)
register(
    Kind(
        REJECTED,
        "tickets/rejected",
        _event_context,
        related=(*TICKET, "actor"),
        label=_("A request is rejected"),
        link=_ticket_page,
    )
)
register(
    Kind(
        CANCELLED,
        "tickets/cancelled",
        _event_context,
        related=(*TICKET, "actor"),
        label=_("A request is cancelled by its requester"),
        link=_ticket_page,
    )
)
for name, label in [
    (BREACH, _("A target is missed (breach)")),
    (WARNING, _("A target is at risk (warning)")),
]:
    register(
        Kind(
            name,
            name.replace(".", "/"),
            _alert_context,
            lambda message: alert_withdrawn(message.about),
            (*TICKET, "approval"),
            _alert_departments,
            label=label,
            link=_ticket_page,
        )
    )
register(
    Kind(
        ESCALATION,
        "tickets/escalation",
        _escalation_context,
        lambda message: alert_withdrawn(message.about.breach),
        (*(f"breach__{path}" for path in TICKET), "breach__approval", "department"),
        # The department the breach climbed to: the provider's parent, and so on.
        lambda about: [about.department_id],
        label=_("A breach is escalated to you"),
        link=lambda message: message.about.breach.ticket.get_absolute_url(),
    )
)
register(Kind(DIGEST, "tickets/digest", _digest_context))


def _hand_off_context(message: Message) -> dict:
    return {**_event_context(message), "parent": message.about.ticket.parent}


register(
    Kind(
        HAND_OFF_RESOLVED,
        "tickets/hand_off_resolved",
        _hand_off_context,
        _while_status(Status.RESOLVED),
        (*TICKET, "actor", "ticket__parent__provider"),
        label=_("A hand-off your request waits on is resolved"),
        link=lambda message: message.about.ticket.parent.get_absolute_url(),
    )
)

# The conversation: watchers and people mentioned hear of what they follow --------------------

COMMENTED = "tickets.commented"
MENTIONED = "tickets.mentioned"
STATUS_CHANGED = "tickets.status_changed"
CLOSED_AS_DUPLICATE = "tickets.closed_as_duplicate"
THANKED = "tickets.thanked"


def sees_event(person, event) -> bool:
    """Whether `person` may read `event` now: they see its request, and an internal note only
    when they are one of the provider's agents or its head."""
    if not Ticket.objects.visible_to(person).filter(pk=event.ticket_id).exists():
        return False
    if not event.is_internal or person.is_superuser:
        return True
    return Membership.objects.filter(
        user=person,
        department=event.ticket.provider_id,
        role__in=[Membership.Role.AGENT, Membership.Role.HEAD],
    ).exists()


def _while_seen(message: Message) -> str:
    """Withdrawn from someone who can no longer see the request (or the internal note)."""
    return "" if sees_event(message.recipient, message.about) else Reason.NOT_VISIBLE


for name, label in [
    (COMMENTED, _("A request you watch has a new comment")),
    (MENTIONED, _("You are mentioned in a comment")),
    (STATUS_CHANGED, _("A request you watch changes status")),
]:
    register(
        Kind(
            name,
            name.replace(".", "/"),
            _event_context,
            _while_seen,
            (*TICKET, "actor"),
            label=label,
            link=_ticket_page,
        )
    )
register(
    Kind(
        CLOSED_AS_DUPLICATE,
        "tickets/closed_as_duplicate",
        _event_context,
        _while_seen,
        (*TICKET, "actor"),
        label=_("Your request is closed as a duplicate"),
        link=_ticket_page,
    )
)
register(
    Kind(
        THANKED,
        "tickets/thanked",
        _event_context,
        _while_seen,
        (*TICKET, "actor"),
        label=_("A requester thanks you"),
        link=_ticket_page,
    )
)
