"""A slow, obviously correct business clock to check `agreements.clock` against.

Working time is the set of whole minutes (counted from the Unix epoch) it is made of: each minute of
every interval of every working date, less the minutes of the closures. `add` then walks forward a
minute at a time. It is exact for calendars whose boundaries, closures and queries all fall on
whole minutes, which is what the tests draw.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class ReferenceClock:
    """The working minutes of the dates first..last of a calendar, as a set."""

    def __init__(
        self,
        zone: str,
        hours: Mapping[int, Iterable[tuple[str, str]]],
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        closures: Iterable[tuple[datetime, datetime]] = (),
        first: date,
        last: date,
    ) -> None:
        tz = ZoneInfo(zone)
        holidays, workdays = set(holidays), set(workdays)
        self.minutes: set[int] = set()
        self.first = _minute(datetime(first.year, first.month, first.day, tzinfo=tz))
        self.last = _minute(datetime(last.year, last.month, last.day, tzinfo=tz))
        day = first
        while day <= last:
            if day not in holidays:
                midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
                for opening, closing in hours.get(0 if day in workdays else day.weekday(), ()):
                    opens = _minute(midnight + _since_midnight(opening))  # wall-clock, fold=0
                    closes = _minute(midnight + _since_midnight(closing))
                    self.minutes.update(range(opens, closes))
            day += timedelta(days=1)
        for start, end in closures:
            self.minutes.difference_update(range(_minute(start), _minute(end)))

    def is_open(self, at: datetime) -> bool:
        return self._inside(_minute(at)) in self.minutes

    def between(self, start: datetime, end: datetime) -> timedelta:
        minutes = range(self._inside(_minute(start)), self._inside(_minute(end)))
        return timedelta(minutes=sum(minute in self.minutes for minute in minutes))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        minute, remaining = _minute(start), duration // timedelta(minutes=1)
        while remaining:
            if self._inside(minute) in self.minutes:
                remaining -= 1
            minute += 1
        return datetime.fromtimestamp(minute * 60, UTC)

    def _inside(self, minute: int) -> int:
        assert self.first <= minute <= self.last, "the query runs off the reference's dates"
        return minute


def _minute(instant: datetime) -> int:
    return int(instant.timestamp()) // 60


def _since_midnight(hh_mm: str) -> timedelta:
    hours, minutes = hh_mm.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))
