"""The response target of a complaint or suggestion, on the business clock of the department
it is about: when it warns (the warning share of the target elapsed), when it is due, and when
the parent department's head is told that it is still unanswered. Pure: no Django; the limits
come from the settings (COMPLAINT_RESPONSE_HOURS, COMPLAINT_WARNING_PERCENT,
COMPLAINT_PARENT_TOLD_AFTER_HOURS)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agreements.clock import BusinessClock


@dataclass(frozen=True)
class ResponseTimes:
    warn_at: datetime
    due_at: datetime
    escalate_at: datetime


def response_times(
    clock: BusinessClock,
    start: datetime,
    *,
    target: timedelta,
    warning_share: float,
    escalation_after: timedelta,
) -> ResponseTimes:
    """The instants of a round that starts at `start`, in working time on `clock`."""
    due_at = clock.add(start, target)
    return ResponseTimes(
        warn_at=clock.add(start, target * warning_share),
        due_at=due_at,
        escalate_at=clock.add(due_at, escalation_after),
    )


def response_time(clock: BusinessClock, start: datetime, end: datetime) -> timedelta:
    """The working time a response took."""
    return clock.between(start, end)
