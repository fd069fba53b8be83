"""Who is told what about a request: each function writes outbox messages (tickets.letters) in
the caller's transaction; they are sent after the commit."""

from __future__ import annotations

from collections.abc import Iterable

from departments.models import Membership
from outbox.services import queue
from tickets import letters
from tickets.models import Approval, Event, Status, Ticket, Watcher

# The status a request reaches -> what its people are told.
STATUS_LETTERS = {
    Status.APPROVED: letters.FILED,
    Status.WAITING: letters.INPUT_NEEDED,
    Status.RESOLVED: letters.RESOLVED,
    Status.REOPENED: letters.REOPENED,
    Status.REJECTED: letters.REJECTED,
    Status.CANCELLED: letters.CANCELLED,
}


def request_filed(ticket: Ticket, event: Event) -> None:
    """A new request reaches the provider's agents (and its head)."""
    if ticket.status == Status.NEW:
        queue(letters.FILED, event, _provider_agents(ticket))


def approval_needed(ticket: Ticket, approval: Approval) -> None:
    queue(letters.APPROVAL_NEEDED, approval, [approval.approver])


def status_changed(ticket: Ticket, event: Event) -> None:
    """Those whom the new status concerns, then the request's watchers (once each)."""
    kind = STATUS_LETTERS.get(event.to_status)
    recipients = []
    if kind is None:
        pass
    elif event.to_status == Status.APPROVED:
        recipients = _provider_agents(ticket)
    elif event.to_status in (Status.REOPENED, Status.CANCELLED):
        recipients = [ticket.assignee] if ticket.assignee else _provider_agents(ticket)
    else:
        recipients = [ticket.requester]
    # Nobody is told of their own act.
    recipients = [person for person in recipients if person.pk != event.actor_id]
    if kind is not None:
        queue(kind, event, recipients)
    tell_watchers(event, letters.STATUS_CHANGED, skip=[*recipients, event.actor])


def hand_off_resolved(child: Ticket, event: Event) -> None:
    """The parent's assignee (or, with nobody assigned, whoever opened the hand-off) hears that
    the hand-off their request waits on is resolved."""
    parent = Ticket.objects.select_related("assignee").get(pk=child.parent_id)
    queue(letters.HAND_OFF_RESOLVED, event, [parent.assignee or child.requester])


def tell_watchers(event: Event, kind: str, *, skip: Iterable = ()) -> None:
    """The request's watchers who may read `event` (an internal note: the provider's agents and
    head only), but those in `skip`, hear of it as `kind`."""
    skipped = {person.pk for person in skip if person is not None}
    watchers = Watcher.objects.filter(ticket=event.ticket_id).exclude(person__in=skipped)
    people = [watcher.person for watcher in watchers.select_related("person")]
    readers = [person for person in people if letters.sees_event(person, event)]
    if readers:
        queue(kind, event, readers)


def _provider_agents(ticket: Ticket) -> list:
    memberships = (
        Membership.objects.agents().filter(department=ticket.provider_id).select_related("user")
    )
    return [membership.user for membership in memberships]
