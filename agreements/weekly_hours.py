"""Weekly working hours as stored on a calendar (JSON) and as typed by people ("09:00-12:00,
13:30-18:00" per weekday)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEEKDAYS = range(7)
SPLIT_SHIFT = [["09:00", "12:00"], ["13:30", "18:00"]]


def default_weekly_hours() -> dict[str, list[list[str]]]:
    """Monday to Friday, 09:00-12:00 and 13:30-18:00."""
    return {str(day): [list(interval) for interval in SPLIT_SHIFT] for day in range(5)}


_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$")


def weekly_hours_for_clock(stored: dict) -> dict[int, list[tuple[str, str]]]:
    """The stored JSON ({"0": [["09:00", "12:00"]]}) in the shape `BusinessClock` takes."""
    return {
        int(day): [tuple(interval) for interval in intervals] for day, intervals in stored.items()
    }


def parse_day(text: str) -> list[list[str]]:
    """Parse one weekday's hours, e.g. "09:00-12:00, 13:30-18:00"; empty means closed."""
    intervals = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        match = _INTERVAL.match(part)
        if not match:
            raise ValidationError(
                _("“%(part)s” is not an interval; write it like 09:00-12:00."),
                params={"part": part},
            )
        intervals.append([_padded(match[1]), _padded(match[2])])
    return intervals


def format_day(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def _padded(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"
