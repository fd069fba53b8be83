"""The business clock: working time on a provider's calendar, measured in real elapsed time.

A calendar is a time zone, weekly opening hours as local wall-clock intervals, holidays, make-up
workdays and one-off closures. Its working time is a set of instants; `BusinessClock` measures it
(`between`), moves through it (`add`) and tests membership (`is_open`).

Semantics, in order of precedence:

- A holiday is closed all day, even when it is also listed as a workday.
- A workday (a make-up day) opens with Monday's hours, whatever its weekday.
- Any other date opens with its weekday's hours.
- Closures are removed from the result.

Each local boundary is resolved as `zoneinfo` does with `fold=0`: a boundary inside a skipped hour
takes the offset from before the change (02:30 on a spring-forward night is 03:30 of the new time),
one inside a repeated hour is its first occurrence. Working time is the union of every date's
intervals so resolved: where a skipped hour ends at midnight (America/Nuuk), a Saturday interval
closing in that hour runs into Sunday and merges with Sunday's hours.

Under the hood, the working intervals of a growing range of dates are kept merged in one sorted
list in UTC, with the working time accumulated before each interval, so every query is a binary
search. Dates are added lazily, a span at a time, and each date is resolved through `zoneinfo` once.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Interval = tuple[datetime, datetime]
LocalTime = str | time

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
_GROWTH = timedelta(days=28)  # the least number of dates added to the timeline at once
_MAX_GROWTH = timedelta(days=366)
_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


class BusinessClock:
    """Working time on a calendar: weekly hours in a time zone, holidays, workdays, closures."""

    def __init__(
        self,
        zone: str,
        hours: Mapping[int, Iterable[tuple[LocalTime, LocalTime]]],
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        closures: Iterable[tuple[datetime, datetime]] = (),
    ) -> None:
        """Build a clock; `hours` maps a weekday (Monday = 0) to local intervals like ("09:00",
        "12:00"), "24:00" ending a day. Raises ValueError on anything malformed."""
        self.zone = _zone(zone)
        self._hours = _weekly_hours(hours)
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self._closures = _merge(_closure(start, end) for start, end in closures)
        self._timeline: _Timeline | None = None

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant t >= start with `between(start, t) == duration`, in the tzinfo of
        `start`; a zero duration returns `start` itself, open or not."""
        origin = _utc(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if not duration:
            return start
        day = last = self._local_date(origin)
        while True:  # grow the timeline until it holds enough working time
            timeline = self._covering(day, last)
            end = timeline.instant_at(timeline.worked_until(origin) + duration)
            if end is not None:
                return end.astimezone(start.tzinfo)
            last = timeline.last

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time inside [start, end)."""
        start, end = _utc(start, "start"), _utc(end, "end")
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        timeline = self._covering(self._local_date(start), self._local_date(end))
        return timeline.worked_until(end) - timeline.worked_until(start)

    def end_of_working_days(self, start: datetime, days: int) -> datetime:
        """The closing instant of the `days`-th working date after the local date of `start`
        (a date with any working time: holidays and fully closed days do not count, make-up
        days do), in the tzinfo of `start`; `days` of zero returns `start` itself."""
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        if not days:
            return start
        day, counted = self._local_date(_utc(start, "start")), 0
        for _step in range(days * 30 + 366):  # a calendar opens at least once a week
            day += _ONE_DAY
            midnight = datetime.combine(day, time.min, tzinfo=self.zone)
            worked = self.between(midnight, datetime.combine(day + _ONE_DAY, time.min, self.zone))
            if worked:
                counted += 1
                if counted == days:
                    return self.add(midnight, worked).astimezone(start.tzinfo)
        raise ValueError(f"no {days} working days after {start} within reach")

    def is_open(self, at: datetime) -> bool:
        """Whether `at` is working time: open at an opening instant, closed at a closing one."""
        at = _utc(at, "at")
        day = self._local_date(at)
        return self._covering(day, day).is_open(at)

    def _local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def _covering(self, first: date, last: date) -> _Timeline:
        """A timeline exact for the instants of the local dates first..last: it holds their working
        intervals and those of a day either side, which may spill over a midnight."""
        first, last = first - _ONE_DAY, last + _ONE_DAY
        old = self._timeline
        if old is None:  # an empty timeline, ready to grow from `first`
            old = _Timeline.of(first, first - _ONE_DAY, [])
        if old.first <= first and last <= old.last:
            return old
        growth = min(max(old.last - old.first, _GROWTH), _MAX_GROWTH)  # rebuilds stay rare
        new_first = min(first, old.first - growth) if first < old.first else old.first
        new_last = max(last, old.last + growth) if last > old.last else old.last
        intervals = _merge(
            [
                *self._hours_of(new_first, old.first - _ONE_DAY),
                *zip(old.starts, old.ends, strict=True),
                *self._hours_of(old.last + _ONE_DAY, new_last),
            ]
        )
        self._timeline = _Timeline.of(new_first, new_last, _subtract(intervals, self._closures))
        return self._timeline

    def _hours_of(self, first: date, last: date) -> Iterator[Interval]:
        """The opening hours of the dates first..last in UTC, as resolved, unsorted and unmerged."""
        for n in range((last - first).days + 1):
            day = first + timedelta(days=n)
            if day in self._holidays:
                continue
            midnight = datetime.combine(day, time.min, tzinfo=self.zone)
            for opening, closing in self._hours[0 if day in self._workdays else day.weekday()]:
                yield (midnight + opening).astimezone(UTC), (midnight + closing).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _Timeline:
    """The working intervals of the local dates first..last, in UTC, with the working time worked
    before each: worked[i] precedes starts[i], and worked[-1] is the total."""

    first: date
    last: date
    starts: list[datetime]
    ends: list[datetime]
    worked: list[timedelta]

    @classmethod
    def of(cls, first: date, last: date, intervals: list[Interval]) -> _Timeline:
        lengths = (end - start for start, end in intervals)
        return cls(
            first=first,
            last=last,
            starts=[start for start, _ in intervals],
            ends=[end for _, end in intervals],
            worked=list(accumulate(lengths, initial=_ZERO)),
        )

    def worked_until(self, instant: datetime) -> timedelta:
        """The working time from the timeline's beginning up to `instant`."""
        i = bisect_right(self.starts, instant) - 1
        if i < 0:
            return _ZERO
        return self.worked[i] + min(instant, self.ends[i]) - self.starts[i]

    def instant_at(self, worked: timedelta) -> datetime | None:
        """The earliest instant at which a positive `worked` is reached, or None if the timeline
        holds less; reaching it exactly at a closing time gives that closing time."""
        i = bisect_left(self.worked, worked) - 1  # worked[i] < worked <= worked[i + 1]
        if i + 1 == len(self.worked):
            return None
        return self.starts[i] + (worked - self.worked[i])

    def is_open(self, instant: datetime) -> bool:
        i = bisect_right(self.starts, instant) - 1
        return i >= 0 and instant < self.ends[i]


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {key!r}") from error


def _closure(start: datetime, end: datetime) -> Interval:
    start, end = _utc(start, "closure start"), _utc(end, "closure end")
    if end < start:
        raise ValueError(f"closure ends at {end}, before it starts at {start}")
    return start, end


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


def _weekly_hours(
    hours: Mapping[int, Iterable[tuple[LocalTime, LocalTime]]],
) -> dict[int, list[tuple[timedelta, timedelta]]]:
    """Each weekday's intervals as offsets from midnight, sorted; checked for sense."""
    unknown = sorted(set(hours) - set(range(7)), key=repr)
    if unknown:
        raise ValueError(f"weekdays run from 0 (Monday) to 6 (Sunday), got {unknown}")
    week: dict[int, list[tuple[timedelta, timedelta]]] = {}
    for weekday in range(7):
        pairs = hours.get(weekday, ())
        intervals = sorted((_offset(opening), _offset(closing)) for opening, closing in pairs)
        for opening, closing in intervals:
            if opening >= closing:
                raise ValueError(f"weekday {weekday}: interval {opening}-{closing} is reversed")
        for (_, closing), (opening, _) in pairwise(intervals):
            if opening < closing:
                raise ValueError(f"weekday {weekday}: intervals overlap at {opening}")
        week[weekday] = intervals
    if not any(week.values()):
        raise ValueError("the calendar has no working time in its week")
    return week


def _offset(value: LocalTime) -> timedelta:
    """A local time of day as an offset from midnight; "24:00" is the end of the day."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ValueError(f"interval times are local wall-clock times, got aware {value}")
        return timedelta(
            hours=value.hour,
            minutes=value.minute,
            seconds=value.second,
            microseconds=value.microsecond,
        )
    match = _HH_MM.fullmatch(value) if isinstance(value, str) else None
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if minutes < 60 and (hours < 24 or (hours, minutes) == (24, 0)):
            return timedelta(hours=hours, minutes=minutes)
    raise ValueError(f'an interval time is "HH:MM" (up to "24:00") or a time, got {value!r}')


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted disjoint intervals covering the same instants: empty (or, resolved in a skipped hour,
    reversed) ones dropped, overlapping or touching ones joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """Sorted disjoint intervals minus sorted disjoint holes, in one sweep over both."""
    result: list[Interval] = []
    hole = 0
    for start, end in intervals:
        while hole < len(holes) and holes[hole][1] <= start:  # holes behind us for good
            hole += 1
        cut = hole
        while cut < len(holes) and holes[cut][0] < end:
            hole_start, hole_end = holes[cut]
            if start < hole_start:
                result.append((start, hole_start))
            start = hole_end
            cut += 1
        if start < end:
            result.append((start, end))
    return result
