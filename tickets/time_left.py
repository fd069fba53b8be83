"""Time left before a request's next due time, as people read it: "3 h 20 min of working time
left", "due in 2 working days 3 h", "paused — 3 h 20 min left when it resumes", "overdue by
1 h 5 min". Working time is measured on the provider's calendar (agreements/clock.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.clock import BusinessClock
from agreements.models import AgreementTarget
from tickets.models import Pause, Ticket
from tickets.sla import Span, due_time

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def working_day(clock: BusinessClock, around: datetime) -> timedelta:
    """The length of a usual working day on `clock`: the most frequent non-zero working time of
    the seven local days from `around` (the longest on a tie), so that a holiday in the week does
    not shorten it. Zero for a calendar that never opens that week."""
    first = around.astimezone(clock.zone).date()
    lengths = []
    for offset in range(7):
        start = datetime.combine(first + timedelta(days=offset), time.min, tzinfo=clock.zone)
        lengths.append(clock.between(start, start + timedelta(days=1)))
    counts = Counter(length for length in lengths if length)
    if not counts:
        return timedelta(0)
    return max(counts, key=lambda length: (counts[length], length))


def left_when_resumed(
    clock: BusinessClock,
    start: datetime,
    target: timedelta,
    pauses: Iterable[Span],
    paused_at: datetime,
) -> timedelta:
    """The working time a target has left at `paused_at`, when an open pause began there: what it
    will have once the clock resumes. Closed pauses before it are not counted."""
    closed = [(begin, end) for begin, end in pauses if end is not None and begin < paused_at]
    due_without_pause = due_time(clock, start, target, closed)
    if due_without_pause is None or due_without_pause <= paused_at:
        return timedelta(0)
    return clock.between(paused_at, due_without_pause)


def duration_phrase(duration: timedelta, day: timedelta | None = None) -> str:
    """A span of working time: "3 h 20 min", "45 min", "less than 1 min"; in working days and
    hours ("2 working days 3 h") when it lasts at least `day`, one working day."""
    duration = abs(duration)
    if day and duration >= day:
        days, rest = divmod(duration, day)
        parts = [
            ngettext("%(count)d working day", "%(count)d working days", days) % {"count": days}
        ]
        hours = rest // HOUR
        if hours:
            parts.append(ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours})
        return " ".join(parts)
    minutes = duration // MINUTE
    if minutes == 0:
        return _("less than 1 min")
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)d h", "%(count)d h", hours) % {"count": hours})
    if minutes:
        parts.append(ngettext("%(count)d min", "%(count)d min", minutes) % {"count": minutes})
    return " ".join(parts)


def time_left_phrase(level: str, left: timedelta | None, day: timedelta | None = None) -> str:
    """What an urgency (level and working time left) reads as; "" when there is nothing to say.

    `level` is "overdue", "due_soon", "on_track" or "paused"; `left` is negative when overdue,
    and for a paused request the working time left when its clock resumes."""
    if left is None:
        return _("paused") if level == "paused" else ""
    time = duration_phrase(left, day)
    if level == "paused":
        return _("paused — %(time)s left when it resumes") % {"time": time}
    if level == "overdue" or left < timedelta(0):
        return _("overdue by %(time)s") % {"time": time}
    if day and left >= day:
        return _("due in %(time)s") % {"time": time}
    return _("%(time)s of working time left") % {"time": time}


def left_when_paused(tickets: Iterable[Ticket], clocks: dict[int, BusinessClock]) -> dict:
    """For each paused request among `tickets` (with an agreement, its calendar's clock in
    `clocks`), the working time its most pressing unmet target has left when the clock resumes,
    by request id. Two queries however many requests there are, none without a paused one."""
    paused = [t for t in tickets if t.paused_at is not None and t.agreement is not None]
    if not paused:
        return {}
    targets = {
        (target.agreement_id, target.priority): target
        for target in AgreementTarget.objects.filter(
            agreement__in={ticket.agreement_id for ticket in paused}
        )
    }
    pauses: dict[int, list[Span]] = {}
    for ticket_id, started_at, ended_at in Pause.objects.filter(
        ticket__in=[ticket.pk for ticket in paused]
    ).values_list("ticket", "started_at", "ended_at"):
        pauses.setdefault(ticket_id, []).append((started_at, ended_at))
    left = {}
    for ticket in paused:
        target = targets.get((ticket.agreement_id, ticket.priority))
        if target is None:
            continue
        clock = clocks[ticket.agreement.calendar_id]
        running = []
        if ticket.first_responded_at is None:
            running.append((ticket.filed_at, target.first_response))
        if ticket.resolved_at is None and ticket.resolution_started_at is not None:
            running.append((ticket.resolution_started_at, target.resolution))
        spans = pauses.get(ticket.pk, [])
        remaining = [
            left_when_resumed(clock, start, duration, spans, ticket.paused_at)
            for start, duration in running
        ]
        if remaining:
            left[ticket.pk] = min(remaining)
    return left
