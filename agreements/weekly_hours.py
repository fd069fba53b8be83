"""Weekly working hours as stored on a calendar (JSON) and as typed by people ("09:00-12:00,
13:30-18:00" per weekday)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

WEEKDAYS = range(7)
WEEKDAY_NAMES = [_lazy("Monday"), _lazy("Tuesday"), _lazy("Wednesday"), _lazy("Thursday"),
                 _lazy("Friday"), _lazy("Saturday"), _lazy("Sunday")]  # fmt: skip
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


def check_weekly_hours(hours: dict) -> None:
    """Raise a ValidationError, in the reader's language, for a reversed or overlapping interval
    or a week without working time. (BusinessClock checks the same, in English, as a last guard.)"""
    for day, intervals in sorted(hours.items(), key=lambda item: int(item[0])):
        previous_end = None
        for start, end in sorted(intervals):
            for value in (start, end):
                if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", value):
                    raise ValidationError(
                        _("%(day)s: “%(value)s” is not a time of day (HH:MM, 24:00 at most)."),
                        params={"day": WEEKDAY_NAMES[int(day)], "value": value},
                    )
            if not _minutes(start) < _minutes(end):
                raise ValidationError(
                    _("%(day)s: %(start)s-%(end)s ends before it starts."),
                    params={"day": WEEKDAY_NAMES[int(day)], "start": start, "end": end},
                )
            if previous_end is not None and _minutes(start) < _minutes(previous_end):
                raise ValidationError(
                    _("%(day)s: the intervals overlap at %(start)s."),
                    params={"day": WEEKDAY_NAMES[int(day)], "start": start},
                )
            previous_end = end
    if not any(hours.values()):
        raise ValidationError(
            _("The calendar has no working time; give the hours of at least one day.")
        )


def format_day(intervals: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _padded(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"
