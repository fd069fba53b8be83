"""The response target of a complaint or suggestion, on the business clock of the department
it is about: when it warns (the warning share of the target elapsed), when it is due, and when
the parent department's head is told that it is still unanswered. Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agreements.clock import BusinessClock

# Two working days of eight hours to respond, as agreements commonly give a resolution.
RESPONSE_TARGET = timedelta(hours=16)
WARNING_SHARE = 0.75
# Still unanswered this long after its due time: the parent department's head is told.
ESCALATION_AFTER = timedelta(hours=8)


@dataclass(frozen=True)
class ResponseTimes:
    warn_at: datetime
    due_at: datetime
    escalate_at: datetime


def response_times(
    clock: BusinessClock,
    start: datetime,
    *,
    target: timedelta = RESPONSE_TARGET,
    escalation_after: timedelta = ESCALATION_AFTER,
) -> ResponseTimes:
    """The instants of a round that starts at `start`, in working time on `clock`."""
    due_at = clock.add(start, target)
    return ResponseTimes(
        warn_at=clock.add(start, target * WARNING_SHARE),
        due_at=due_at,
        escalate_at=clock.add(due_at, escalation_after),
    )


def response_time(clock: BusinessClock, start: datetime, end: datetime) -> timedelta:
    """The working time a response took."""
    return clock.between(start, end)
