"""Confirmation of a resolved request (rule of the clock 7): the requester confirms the result,
from the request page or from a signed link without logging in, or the request confirms itself
at the end of its agreement's confirmation period, counted in working days on the provider's
calendar, recorded as confirmed automatically and without a rating.

The link is tickets.confirm_links. The confirmation scan claims each request by a conditional
UPDATE on its status, so two scans (or a scan and the requester) never both confirm it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.clock import BusinessClock
from agreements.models.agreement import DEFAULT_CONFIRM_WITHIN_DAYS
from agreements.weekly_hours import default_weekly_hours, weekly_hours_for_clock
from outbox.services import queue
from tickets import letters
from tickets.models import Event, Status, Ticket

BATCH = 500


def confirmation_clock(ticket: Ticket) -> BusinessClock:
    """The provider's calendar of the request's agreement; without an agreement, the default
    working week (Monday to Friday) in the company's time zone."""
    if ticket.agreement is not None:
        return ticket.agreement.calendar.as_clock()
    return BusinessClock(settings.TIME_ZONE, weekly_hours_for_clock(default_weekly_hours()))


def schedule_confirmation(ticket: Ticket, resolved_at: datetime) -> None:
    """Set when a request just resolved confirms itself, and when its requester is reminded
    (at the end of the working day before; not at all for a one-day period)."""
    days = ticket.agreement.confirm_within_days if ticket.agreement else DEFAULT_CONFIRM_WITHIN_DAYS
    clock = confirmation_clock(ticket)
    ticket.confirm_due_at = clock.end_of_working_days(resolved_at, days)
    ticket.confirm_remind_at = (
        clock.end_of_working_days(resolved_at, days - 1) if days > 1 else None
    )
    ticket.confirm_reminded_at = None


def clear_confirmation(ticket: Ticket) -> None:
    """No confirmation is awaited any more (confirmed, or reopened)."""
    ticket.confirm_due_at = ticket.confirm_remind_at = ticket.confirm_reminded_at = None


# The confirmation scan --------------------------------------------------------------------


@dataclass
class ConfirmationScan:
    confirmed: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)


def confirmation_scan(*, now: datetime | None = None) -> ConfirmationScan:
    """Confirm the resolved requests whose confirmation period is over, then remind the
    requesters whose period ends within a working day; at most BATCH of each per run. Safe to
    run twice, or next to a requester confirming: each request is claimed by its status."""
    now = now or timezone.now()
    result = ConfirmationScan()
    resolved = Ticket.objects.filter(status=Status.RESOLVED)
    due = resolved.filter(confirm_due_at__isnull=False, confirm_due_at__lte=now)
    for ticket_id in due.order_by("confirm_due_at").values_list("pk", flat=True)[:BATCH]:
        if ticket_confirm_automatically(ticket_id=ticket_id, now=now):
            result.confirmed.append(ticket_id)
    to_remind = resolved.filter(
        confirm_remind_at__isnull=False,
        confirm_remind_at__lte=now,
        confirm_reminded_at__isnull=True,
        confirm_due_at__gt=now,
    )
    for ticket_id in to_remind.order_by("confirm_remind_at").values_list("pk", flat=True)[:BATCH]:
        if ticket_remind_to_confirm(ticket_id=ticket_id, now=now):
            result.reminded.append(ticket_id)
    return result


@transaction.atomic
def ticket_confirm_automatically(*, ticket_id: int, now: datetime) -> bool:
    """Close a resolved request whose confirmation period is over, as confirmed automatically
    at the end of that period (no rating); False when it was confirmed, reopened or claimed
    meanwhile."""
    claimed = Ticket.objects.filter(
        pk=ticket_id, status=Status.RESOLVED, confirm_due_at__lte=now
    ).update(
        status=Status.CLOSED,
        closed_at=F("confirm_due_at"),
        confirmed_at=F("confirm_due_at"),
        confirmed_automatically=True,
        paused_at=None,
        next_due_at=None,
        confirm_remind_at=None,
        version=F("version") + 1,
    )
    if claimed != 1:
        return False
    ticket = Ticket.objects.select_related("agreement").get(pk=ticket_id)
    # The resolution's pause ends with the confirmation, as when the requester confirms.
    ticket.pauses.filter(ended_at__isnull=True).update(ended_at=ticket.confirmed_at)
    days = ticket.agreement.confirm_within_days if ticket.agreement else DEFAULT_CONFIRM_WITHIN_DAYS
    Event.objects.create(
        ticket=ticket,
        kind=Event.Kind.AUTO_CONFIRMED,
        actor=None,
        at=ticket.confirmed_at,
        from_status=Status.RESOLVED,
        to_status=Status.CLOSED,
        text=_("No confirmation or reopening within %(days)s working days.") % {"days": days},
    )
    return True


@transaction.atomic
def ticket_remind_to_confirm(*, ticket_id: int, now: datetime) -> bool:
    """Remind the requester, once per resolution, that the request confirms itself soon;
    False when already reminded, or no longer awaiting confirmation."""
    claimed = Ticket.objects.filter(
        pk=ticket_id, status=Status.RESOLVED, confirm_reminded_at__isnull=True
    ).update(confirm_reminded_at=now)
    if claimed != 1:
        return False
    ticket = Ticket.objects.select_related("requester").get(pk=ticket_id)
    queue(letters.CONFIRM_REMINDER, ticket, [ticket.requester])
    return True
