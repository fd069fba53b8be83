"""The business clock: examples for every rule, then properties checked against a slow reference.

No database and no Django here: the clock is plain Python.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.clock import BusinessClock
from tests.agreements.clock_reference import ReferenceClock

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NUUK = ZoneInfo("America/Nuuk")  # springs forward from 23:00 on a Saturday to Sunday's midnight

SPLIT_SHIFT = (("09:00", "12:00"), ("13:30", "18:00"))  # 7.5 hours a day
OFFICE_HOURS = dict.fromkeys(range(5), SPLIT_SHIFT)
ROUND_THE_CLOCK = {weekday: [("00:00", "24:00")] for weekday in range(7)}


def days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=n) for n in range((end - start).days + 1)}


# China's 2026 public holidays and their make-up workdays, as announced by the State Council in
# November 2025 (National Day is made up on Sunday 20 September and Saturday 10 October).
CHINA_2026_HOLIDAYS = (
    days("2026-01-01", "2026-01-03")
    | days("2026-02-15", "2026-02-23")
    | days("2026-04-04", "2026-04-06")
    | days("2026-05-01", "2026-05-05")
    | days("2026-06-19", "2026-06-21")
    | days("2026-09-25", "2026-09-27")
    | days("2026-10-01", "2026-10-07")
)
CHINA_2026_WORKDAYS = {
    date.fromisoformat(day)
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")
}

CLOCK = BusinessClock(
    "Asia/Shanghai", OFFICE_HOURS, holidays=CHINA_2026_HOLIDAYS, workdays=CHINA_2026_WORKDAYS
)


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def utc(moment: datetime) -> datetime:
    """The same instant in UTC. Compare instants this way around a change of the clocks: Python
    compares datetimes sharing a tzinfo by wall time, ignoring `fold`, and never finds one inside a
    repeated hour equal to a datetime of another zone."""
    return moment.astimezone(UTC)


# Adding working time on a split shift (Monday 8 June 2026 is an ordinary Monday).


def test_add_within_the_morning_stays_in_the_morning():
    assert CLOCK.add(shanghai(2026, 6, 8, 9, 0), hours(2)) == shanghai(2026, 6, 8, 11, 0)


def test_add_skips_the_lunch_break():
    assert CLOCK.add(shanghai(2026, 6, 8, 11, 0), hours(2)) == shanghai(2026, 6, 8, 14, 30)


def test_add_from_before_opening_counts_from_opening():
    assert CLOCK.add(shanghai(2026, 6, 8, 7, 15), hours(1)) == shanghai(2026, 6, 8, 10, 0)


def test_add_from_inside_the_lunch_break_counts_from_the_afternoon_opening():
    assert CLOCK.add(shanghai(2026, 6, 8, 12, 45), hours(1)) == shanghai(2026, 6, 8, 14, 30)


def test_add_from_an_opening_instant_counts_from_that_instant():
    assert CLOCK.add(shanghai(2026, 6, 8, 13, 30), hours(0.5)) == shanghai(2026, 6, 8, 14, 0)


def test_add_from_a_closing_instant_counts_from_the_next_opening():
    assert CLOCK.add(shanghai(2026, 6, 8, 12, 0), hours(1)) == shanghai(2026, 6, 8, 14, 30)


def test_add_after_closing_continues_on_the_next_working_day():
    assert CLOCK.add(shanghai(2026, 6, 8, 20, 0), hours(1)) == shanghai(2026, 6, 9, 10, 0)


def test_duration_ending_at_closing_time_returns_closing_time():
    assert CLOCK.add(shanghai(2026, 6, 8, 17, 0), hours(1)) == shanghai(2026, 6, 8, 18, 0)


def test_duration_ending_at_the_lunch_break_returns_the_start_of_the_break():
    assert CLOCK.add(shanghai(2026, 6, 8, 11, 0), hours(1)) == shanghai(2026, 6, 8, 12, 0)


def test_zero_duration_returns_the_start_unchanged_even_when_closed():
    saturday_night = shanghai(2026, 6, 6, 3, 0)
    assert CLOCK.add(saturday_night, timedelta(0)) is saturday_night


def test_add_returns_the_time_zone_of_the_start():
    end = CLOCK.add(datetime(2026, 6, 8, 1, 0, tzinfo=UTC), hours(1))  # 09:00 in Shanghai
    assert end.tzinfo is UTC
    assert end == datetime(2026, 6, 8, 2, 0, tzinfo=UTC)


def test_add_skips_the_weekend():
    friday = shanghai(2026, 6, 5, 17, 0)
    assert CLOCK.add(friday, hours(2)) == shanghai(2026, 6, 8, 10, 0)


def test_add_skips_a_holiday():
    thursday = shanghai(2026, 6, 18, 17, 0)  # Friday 19 June is the Dragon Boat Festival
    assert CLOCK.add(thursday, hours(2)) == shanghai(2026, 6, 22, 10, 0)


def test_add_skips_the_national_day_week():
    assert CLOCK.add(shanghai(2026, 9, 30, 17, 0), hours(2)) == shanghai(2026, 10, 8, 10, 0)


def test_add_works_on_a_make_up_saturday():
    friday = shanghai(2026, 10, 9, 17, 0)
    assert CLOCK.add(friday, hours(2)) == shanghai(2026, 10, 10, 10, 0)


def test_add_of_thirty_working_days_agrees_with_between():
    start = shanghai(2026, 9, 1, 10, 0)
    end = CLOCK.add(start, hours(30 * 7.5))
    # 6.5 hours on 1 September, 21 more days in September, 8 in October up to the 16th, an hour.
    assert end == shanghai(2026, 10, 19, 10, 0)
    assert CLOCK.between(start, end) == hours(30 * 7.5)


def test_a_make_up_day_opens_with_mondays_hours():
    clock = BusinessClock(
        "Asia/Shanghai",
        {0: [("10:00", "16:00")], **{weekday: [("09:00", "17:00")] for weekday in range(1, 5)}},
        workdays={date(2026, 10, 10), date(2026, 10, 14)},  # a Saturday and a Wednesday
    )
    assert clock.between(shanghai(2026, 10, 10), shanghai(2026, 10, 11)) == hours(6)
    assert not clock.is_open(shanghai(2026, 10, 10, 9, 30))
    assert clock.between(shanghai(2026, 10, 14), shanghai(2026, 10, 15)) == hours(6)


def test_a_date_that_is_both_holiday_and_workday_is_closed():
    both = date(2026, 10, 10)
    clock = BusinessClock("Asia/Shanghai", OFFICE_HOURS, holidays={both}, workdays={both})
    assert clock.between(shanghai(2026, 10, 10), shanghai(2026, 10, 11)) == timedelta(0)


def test_intervals_may_be_given_as_times():
    clock = BusinessClock("Asia/Shanghai", {0: [(time(9), time(12)), (time(13, 30), "18:00")]})
    assert clock.between(shanghai(2026, 6, 8), shanghai(2026, 6, 9)) == hours(7.5)


def test_a_round_the_clock_calendar_counts_every_hour():
    clock = BusinessClock("Asia/Shanghai", ROUND_THE_CLOCK)
    start = shanghai(2026, 6, 8, 5, 17)
    assert clock.between(start, start + timedelta(days=7)) == hours(168)
    assert clock.add(start, hours(100)) == start + hours(100)


def test_queries_years_apart_agree_with_each_other():
    clock = BusinessClock("Asia/Shanghai", OFFICE_HOURS, holidays=CHINA_2026_HOLIDAYS)
    decade = clock.between(shanghai(2020, 1, 1), shanghai(2031, 1, 1))
    parts = [clock.between(shanghai(y, 1, 1), shanghai(y + 1, 1, 1)) for y in range(2020, 2031)]
    assert decade == sum(parts, timedelta(0))
    assert clock.add(shanghai(2020, 1, 1), decade) == shanghai(2030, 12, 31, 18, 0)


# Measuring working time.


def test_between_an_instant_and_itself_is_zero():
    opening = shanghai(2026, 6, 8, 9, 0)
    assert CLOCK.between(opening, opening) == timedelta(0)


def test_between_counts_only_working_time():
    assert CLOCK.between(shanghai(2026, 6, 8, 8, 0), shanghai(2026, 6, 8, 20, 0)) == hours(7.5)


def test_between_a_whole_week_is_five_working_days():
    assert CLOCK.between(shanghai(2026, 6, 8), shanghai(2026, 6, 15)) == hours(5 * 7.5)


def test_between_over_national_day_counts_the_make_up_saturday():
    # Monday 28 September to Sunday 11 October: 28, 29, 30 September, 8, 9 and 10 October.
    assert CLOCK.between(shanghai(2026, 9, 28), shanghai(2026, 10, 12)) == hours(6 * 7.5)


def test_between_accepts_start_and_end_in_different_time_zones():
    start = datetime(2026, 6, 8, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    end = datetime(2026, 6, 8, 5, 0, tzinfo=BERLIN)  # 11:00 in Shanghai
    assert CLOCK.between(start, end) == hours(1)


# Open or closed: intervals are half-open, [opening, closing).


def test_is_open_at_the_opening_instant():
    assert CLOCK.is_open(shanghai(2026, 6, 8, 9, 0))


def test_is_closed_at_the_closing_instant():
    assert not CLOCK.is_open(shanghai(2026, 6, 8, 12, 0))


def test_is_open_just_before_the_closing_instant():
    assert CLOCK.is_open(shanghai(2026, 6, 8, 11, 59, 59, 999999))


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (shanghai(2026, 6, 8, 12, 45), False),  # lunch break
        (shanghai(2026, 6, 6, 10, 0), False),  # Saturday
        (shanghai(2026, 10, 1, 10, 0), False),  # National Day
        (shanghai(2026, 10, 10, 10, 0), True),  # make-up Saturday
        (shanghai(2026, 9, 20, 10, 0), True),  # make-up Sunday
        (datetime(2026, 6, 8, 1, 30, tzinfo=UTC), True),  # 09:30 in Shanghai
    ],
    ids=["lunch", "saturday", "national-day", "make-up-saturday", "make-up-sunday", "utc"],
)
def test_is_open_follows_the_calendar(instant: datetime, expected: bool):
    assert CLOCK.is_open(instant) is expected


# One-off closures: the office moves from Friday 12 June 14:00 to Monday 15 June 10:00.

MOVE = (shanghai(2026, 6, 12, 14, 0), shanghai(2026, 6, 15, 10, 0))
MOVING_CLOCK = BusinessClock("Asia/Shanghai", OFFICE_HOURS, closures=[MOVE])


def test_a_closure_is_removed_from_working_time():
    friday, monday = shanghai(2026, 6, 12, 9, 0), shanghai(2026, 6, 15, 12, 0)
    assert MOVING_CLOCK.between(friday, monday) == hours(3 + 0.5 + 2)


def test_add_jumps_over_a_closure():
    friday = shanghai(2026, 6, 12, 13, 30)
    assert MOVING_CLOCK.add(friday, hours(1)) == shanghai(2026, 6, 15, 10, 30)


def test_is_closed_during_a_closure_and_open_after_it():
    assert not MOVING_CLOCK.is_open(shanghai(2026, 6, 12, 15, 0))
    assert not MOVING_CLOCK.is_open(shanghai(2026, 6, 15, 9, 59))
    assert MOVING_CLOCK.is_open(shanghai(2026, 6, 15, 10, 0))


def test_closures_may_overlap_and_use_any_time_zone():
    closures = [
        MOVE,
        (datetime(2026, 6, 12, 1, 0, tzinfo=UTC), datetime(2026, 6, 12, 7, 0, tzinfo=UTC)),
    ]
    clock = BusinessClock("Asia/Shanghai", OFFICE_HOURS, closures=closures)  # from 09:00 Friday
    assert clock.between(shanghai(2026, 6, 12), shanghai(2026, 6, 16)) == hours(6.5)


# Daylight saving time: durations are real elapsed time, boundaries are local wall-clock times.


@pytest.mark.parametrize(
    ("zone", "day", "length"),
    [
        ("Europe/Berlin", date(2026, 3, 29), hours(23)),
        ("Europe/Berlin", date(2026, 10, 25), hours(25)),
        ("America/New_York", date(2026, 3, 8), hours(23)),
        ("America/New_York", date(2026, 11, 1), hours(25)),
    ],
    ids=["berlin-spring", "berlin-autumn", "new-york-spring", "new-york-autumn"],
)
def test_a_round_the_clock_day_lasts_as_long_as_the_clocks_say(zone, day, length):
    clock, tz = BusinessClock(zone, ROUND_THE_CLOCK), ZoneInfo(zone)
    midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
    assert clock.between(midnight, midnight + timedelta(days=1)) == length


def test_add_over_the_spring_forward_counts_real_hours():
    clock = BusinessClock("Europe/Berlin", ROUND_THE_CLOCK)
    midnight = datetime(2026, 3, 29, tzinfo=BERLIN)
    assert utc(clock.add(midnight, hours(3))) == utc(datetime(2026, 3, 29, 4, 0, tzinfo=BERLIN))


def test_add_over_the_fall_back_counts_real_hours():
    clock = BusinessClock("Europe/Berlin", ROUND_THE_CLOCK)
    end = clock.add(datetime(2026, 10, 25, tzinfo=BERLIN), hours(3))
    assert utc(end) == datetime(2026, 10, 25, 1, 0, tzinfo=UTC)
    assert (end.hour, end.fold) == (2, 1)  # the second 02:00 of the night


def test_an_opening_in_a_skipped_hour_resolves_as_zoneinfo_does_with_fold_0():
    clock = BusinessClock("Europe/Berlin", {6: [("02:30", "04:00")]})
    opening = datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN).astimezone(UTC)  # 03:30 CEST
    assert opening == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert not clock.is_open(opening - timedelta(microseconds=1))
    assert clock.is_open(opening)
    assert clock.between(datetime(2026, 3, 29, tzinfo=BERLIN), opening + hours(1)) == hours(0.5)


def test_an_opening_in_a_repeated_hour_is_its_first_occurrence():
    clock = BusinessClock("Europe/Berlin", {6: [("02:30", "04:00")]})
    opening = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN).astimezone(UTC)  # 02:30 CEST
    assert opening == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert not clock.is_open(opening - timedelta(microseconds=1))
    assert clock.add(opening, hours(2.5)) == utc(datetime(2026, 10, 25, 4, 0, tzinfo=BERLIN))


def test_a_closing_in_a_skipped_hour_still_counts_real_time():
    clock = BusinessClock("America/New_York", {6: [("01:00", "02:30")]})
    midnight = datetime(2026, 3, 8, tzinfo=NEW_YORK)
    assert clock.between(midnight, midnight + timedelta(days=1)) == hours(1.5)
    assert utc(clock.add(midnight, hours(1.5))) == utc(datetime(2026, 3, 8, 3, 30, tzinfo=NEW_YORK))


def test_a_closing_in_a_skipped_hour_before_midnight_runs_into_the_next_day():
    clock = BusinessClock("America/Nuuk", {5: [("22:00", "23:30")]})  # Saturdays only
    saturday = datetime(2026, 3, 28, 22, 0, tzinfo=NUUK)
    closing = datetime(2026, 3, 28, 23, 30, tzinfo=NUUK).astimezone(UTC)
    assert closing == datetime(2026, 3, 29, 0, 30, tzinfo=NUUK)  # Sunday, in the new time
    assert clock.between(saturday, saturday + timedelta(days=1)) == hours(1.5)
    assert clock.is_open(datetime(2026, 3, 29, 0, 15, tzinfo=NUUK))
    assert clock.add(saturday, hours(1.5)) == closing


def test_hours_running_into_the_next_day_merge_with_its_own():
    clock = BusinessClock(
        "America/Nuuk", {5: [("22:00", "23:30")], 6: [("00:00", "01:00")]}
    )  # the Saturday's last half hour is the Sunday's first
    saturday = datetime(2026, 3, 28, 22, 0, tzinfo=NUUK)
    assert clock.between(saturday, saturday + timedelta(days=1)) == hours(2)


# Zones whose offset is not a whole number of hours.


def test_a_half_hour_zone_opens_on_the_half_hour_in_utc():
    clock = BusinessClock("Asia/Kolkata", {0: [("09:00", "17:30")]})  # UTC+05:30
    assert clock.is_open(datetime(2026, 6, 8, 3, 30, tzinfo=UTC))
    assert not clock.is_open(datetime(2026, 6, 8, 3, 29, tzinfo=UTC))
    end = clock.add(datetime(2026, 6, 8, 0, 0, tzinfo=UTC), hours(1))
    assert end == datetime(2026, 6, 8, 4, 30, tzinfo=UTC)


def test_a_quarter_hour_zone_closes_on_the_quarter_hour_in_utc():
    clock = BusinessClock("Asia/Kathmandu", {0: [("09:00", "17:00")]})  # UTC+05:45
    assert clock.is_open(datetime(2026, 6, 8, 11, 14, tzinfo=UTC))
    assert not clock.is_open(datetime(2026, 6, 8, 11, 15, tzinfo=UTC))


# Errors: every one a ValueError.

NAIVE = datetime(2026, 6, 8, 9, 0)
AWARE = shanghai(2026, 6, 8, 9, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CLOCK.add(NAIVE, hours(1)),
        lambda: CLOCK.between(NAIVE, AWARE),
        lambda: CLOCK.between(AWARE, NAIVE),
        lambda: CLOCK.is_open(NAIVE),
        lambda: BusinessClock("Asia/Shanghai", OFFICE_HOURS, closures=[(NAIVE, AWARE)]),
    ],
    ids=["add", "between-start", "between-end", "is_open", "closure"],
)
def test_a_naive_datetime_is_rejected(call):
    with pytest.raises(ValueError, match="aware"):
        call()


def test_a_negative_duration_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        CLOCK.add(AWARE, -timedelta(microseconds=1))


def test_an_end_before_the_start_is_rejected():
    with pytest.raises(ValueError, match="before"):
        CLOCK.between(AWARE, AWARE - timedelta(microseconds=1))


def test_a_closure_ending_before_it_starts_is_rejected():
    with pytest.raises(ValueError, match="before"):
        BusinessClock("Asia/Shanghai", OFFICE_HOURS, closures=[(MOVE[1], MOVE[0])])


@pytest.mark.parametrize(
    "calendar",
    [
        {"hours": {}},
        {"hours": {weekday: [] for weekday in range(7)}},
        {"hours": {}, "workdays": {date(2026, 10, 10)}},
    ],
    ids=["no-hours", "empty-hours", "only-workdays"],
)
def test_a_calendar_without_weekly_working_time_is_rejected(calendar: dict[str, Any]):
    with pytest.raises(ValueError, match="no working time"):
        BusinessClock("Asia/Shanghai", **calendar)


def test_overlapping_intervals_are_rejected():
    with pytest.raises(ValueError, match="overlap"):
        BusinessClock("Asia/Shanghai", {0: [("13:00", "18:00"), ("09:00", "13:30")]})


@pytest.mark.parametrize("interval", [("18:00", "09:00"), ("09:00", "09:00")], ids=str)
def test_a_reversed_or_empty_interval_is_rejected(interval: tuple[str, str]):
    with pytest.raises(ValueError, match="reversed"):
        BusinessClock("Asia/Shanghai", {0: [interval]})


@pytest.mark.parametrize("value", ["9h00", "24:30", "12:60", "", 900, None])
def test_a_malformed_time_of_day_is_rejected(value: object):
    with pytest.raises(ValueError, match="HH:MM"):
        BusinessClock("Asia/Shanghai", {0: [("08:00", value)]})


def test_an_unknown_weekday_is_rejected():
    with pytest.raises(ValueError, match="weekdays"):
        BusinessClock("Asia/Shanghai", {7: SPLIT_SHIFT})


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_an_unknown_time_zone_is_rejected(zone: str):
    with pytest.raises(ValueError, match="time zone"):
        BusinessClock(zone, OFFICE_HOURS)


# Properties, on calendars whose boundaries fall on whole minutes, for instants on whole minutes.
#
# Each calendar comes with anchors: instants near which the interesting things happen (holidays,
# make-up days, a closure, daylight saving changes). Instants are drawn within five days of one.

CALENDARS: dict[str, dict[str, Any]] = {
    "shanghai": {
        "zone": "Asia/Shanghai",
        "hours": OFFICE_HOURS,
        "holidays": CHINA_2026_HOLIDAYS,
        "workdays": CHINA_2026_WORKDAYS,
        "closures": [MOVE],
    },
    "berlin": {  # Sundays have night shifts across both of 2026's changes of the clocks
        "zone": "Europe/Berlin",
        "hours": {
            **{weekday: [("08:00", "12:00"), ("13:00", "17:00")] for weekday in range(6)},
            6: [("00:00", "02:30"), ("03:00", "04:00"), ("09:00", "12:00")],
        },
    },
    "new-york": {"zone": "America/New_York", "hours": ROUND_THE_CLOCK},
    "nuuk": {  # Saturday evenings end in the skipped hour in spring, the repeated one in autumn
        "zone": "America/Nuuk",
        "hours": {
            **{weekday: [("09:00", "17:00")] for weekday in range(5)},
            5: [("21:00", "23:30")],
            6: [("00:00", "00:45"), ("10:00", "12:00")],
        },
    },
}
ANCHORS = {
    "shanghai": [MOVE[0], *(shanghai(2026, 9, day) for day in (15, 22, 29)), shanghai(2026, 10, 6)],
    "berlin": [datetime(2026, 3, 29, tzinfo=BERLIN), datetime(2026, 10, 25, tzinfo=BERLIN)],
    "new-york": [datetime(2026, 3, 8, tzinfo=NEW_YORK), datetime(2026, 11, 1, tzinfo=NEW_YORK)],
    "nuuk": [datetime(2026, 3, 28, tzinfo=NUUK), datetime(2026, 10, 24, tzinfo=NUUK)],
}
WORKING_DAY = {"shanghai": hours(7.5), "berlin": hours(8), "new-york": hours(24), "nuuk": hours(8)}
PROPERTY = settings(max_examples=200, deadline=None, database=None)
names = pytest.mark.parametrize("name", list(CALENDARS))


@cache
def clock(name: str) -> BusinessClock:
    return BusinessClock(**CALENDARS[name])


@cache
def reference(name: str) -> ReferenceClock:
    anchors = ANCHORS[name]
    first = min(anchors).date() - timedelta(days=10)
    last = max(anchors).date() + timedelta(days=20)
    return ReferenceClock(**CALENDARS[name], first=first, last=last)


@st.composite
def instants(draw: st.DrawFn, name: str) -> datetime:
    anchor = draw(st.sampled_from(ANCHORS[name]))
    minutes = draw(st.integers(-5 * 24 * 60, 5 * 24 * 60))
    tz = draw(st.sampled_from([UTC, ZoneInfo(CALENDARS[name]["zone"])]))
    return (anchor + timedelta(minutes=minutes)).astimezone(tz)


def durations(name: str) -> st.SearchStrategy[timedelta]:
    """Whole minutes, up to three working days."""
    most = 3 * WORKING_DAY[name] // timedelta(minutes=1)
    return st.integers(0, most).map(lambda minutes: timedelta(minutes=minutes))


@names
@PROPERTY
@given(data=st.data())
def test_between_the_start_and_add_is_the_duration(name: str, data: st.DataObject):
    start, duration = data.draw(instants(name)), data.draw(durations(name))
    assert clock(name).between(start, clock(name).add(start, duration)) == duration


@names
@PROPERTY
@given(data=st.data())
def test_adding_twice_is_adding_the_sum(name: str, data: st.DataObject):
    start, first, second = (
        data.draw(instants(name)),
        data.draw(durations(name)),
        data.draw(durations(name)),
    )
    twice = clock(name).add(clock(name).add(start, first), second)
    assert utc(twice) == utc(clock(name).add(start, first + second))


@names
@PROPERTY
@given(data=st.data())
def test_between_adds_up_over_consecutive_spans(name: str, data: st.DataObject):
    a, b, c = sorted((data.draw(instants(name)) for _ in range(3)), key=utc)
    assert clock(name).between(a, c) == clock(name).between(a, b) + clock(name).between(b, c)


@names
@PROPERTY
@given(data=st.data())
def test_add_agrees_with_the_reference(name: str, data: st.DataObject):
    start, duration = data.draw(instants(name)), data.draw(durations(name))
    assert utc(clock(name).add(start, duration)) == reference(name).add(start, duration)


@names
@PROPERTY
@given(data=st.data())
def test_between_agrees_with_the_reference(name: str, data: st.DataObject):
    start, end = sorted((data.draw(instants(name)) for _ in range(2)), key=utc)
    assert clock(name).between(start, end) == reference(name).between(start, end)


@names
@PROPERTY
@given(data=st.data())
def test_is_open_agrees_with_the_reference(name: str, data: st.DataObject):
    at = data.draw(instants(name))
    assert clock(name).is_open(at) is reference(name).is_open(at)
