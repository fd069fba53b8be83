"""Who is told what about a request: each function writes outbox rows (tickets.Notification) in
the caller's transaction and queues their sending for after the commit."""

from __future__ import annotations

import logging

from django.db import transaction

from departments.models import Membership
from tickets.models import Approval, Event, Notification, Status, Ticket
from tickets.tasks import send_notification

logger = logging.getLogger(__name__)


# The status a request reaches -> what its people are told.
STATUS_NOTIFICATIONS = {
    Status.APPROVED: Notification.Kind.FILED,
    Status.WAITING: Notification.Kind.INPUT_NEEDED,
    Status.RESOLVED: Notification.Kind.RESOLVED,
    Status.REOPENED: Notification.Kind.REOPENED,
    Status.REJECTED: Notification.Kind.REJECTED,
}


def request_filed(ticket: Ticket, event: Event) -> None:
    """A new request reaches the provider's agents (and its head)."""
    if ticket.status == Status.NEW:
        _queue(ticket, Notification.Kind.FILED, _provider_agents(ticket), event=event)


def approval_needed(ticket: Ticket, approval: Approval) -> None:
    _queue(ticket, Notification.Kind.APPROVAL_NEEDED, [approval.approver], approval=approval)


def status_changed(ticket: Ticket, event: Event) -> None:
    kind = STATUS_NOTIFICATIONS.get(event.to_status)
    if kind is None:
        return
    if event.to_status == Status.APPROVED:
        recipients = _provider_agents(ticket)
    elif event.to_status == Status.REOPENED:
        recipients = [ticket.assignee] if ticket.assignee else _provider_agents(ticket)
    else:
        recipients = [ticket.requester]
    _queue(ticket, kind, recipients, event=event)


def _provider_agents(ticket: Ticket) -> list:
    memberships = (
        Membership.objects.agents().filter(department=ticket.provider_id).select_related("user")
    )
    return [m.user for m in memberships if m.user.is_active]


def _queue(ticket: Ticket, kind: str, recipients, *, event=None, approval=None) -> None:
    rows = Notification.objects.bulk_create(
        [
            Notification(ticket=ticket, kind=kind, recipient=person, event=event, approval=approval)
            for person in {p.pk: p for p in recipients if p.email and p.is_active}.values()
        ]
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _enqueue_all(ids))


def _enqueue_all(notification_ids: list[int]) -> None:
    # A failed attempt waits out kombu's connection retries (about 6 s by default): with the
    # broker down, stop at the first failure rather than hold the request once per recipient.
    for notification_id in notification_ids:
        if not _enqueue(notification_id):
            return


def _enqueue(notification_id: int) -> bool:
    """Hand the row to a worker; when the broker is down the row waits in the outbox, and the
    periodic `send_unsent_notifications` queues it once the broker is back."""
    try:
        send_notification.apply_async((notification_id,), retry=False)
    except Exception as error:  # the change is committed; the e-mail only waits
        logger.warning(
            "notification %s not queued (%s); it will be retried", notification_id, error
        )
        return False
    return True
