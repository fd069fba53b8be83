"""Due times of a request's targets on the business clock, with its pauses taken out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from agreements.clock import BusinessClock

Span = tuple[datetime, datetime | None]


def due_time(
    clock: BusinessClock, start: datetime, target: timedelta, pauses: Iterable[Span]
) -> datetime | None:
    """The instant `target` of working time has run since `start`, not counting the paused
    spans; None while an open pause (no end yet) holds the clock before the target is reached."""
    cursor, remaining = start, target
    for pause_start, pause_end in sorted(pauses, key=lambda span: span[0]):
        if pause_end is not None and pause_end <= cursor:
            continue
        pause_start = max(pause_start, cursor)
        due = clock.add(cursor, remaining)
        if due <= pause_start:
            return due
        remaining -= clock.between(cursor, pause_start)
        if pause_end is None:
            return None
        cursor = pause_end
    return clock.add(cursor, remaining)


def working_time_left(clock: BusinessClock, now: datetime, due: datetime) -> timedelta:
    """Working time from `now` until `due`, negative when `due` has passed."""
    if due >= now:
        return clock.between(now, due)
    return -clock.between(due, now)
