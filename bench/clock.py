"""Benchmark of the business clock: 10,000 `add` and 10,000 `between` calls on a Shanghai calendar.

Run from the repository root: `.venv/bin/python bench/clock.py`. The last line printed is JSON.
"""

import json
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agreements.clock import BusinessClock

CALLS = 10_000
WORKING_DAY = timedelta(hours=7.5)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def days(first: str, last: str) -> set[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return {start + timedelta(days=n) for n in range((end - start).days + 1)}


# China's 2026 public holidays and make-up workdays (State Council notice of November 2025).
HOLIDAYS = (
    days("2026-01-01", "2026-01-03")
    | days("2026-02-15", "2026-02-23")
    | days("2026-04-04", "2026-04-06")
    | days("2026-05-01", "2026-05-05")
    | days("2026-06-19", "2026-06-21")
    | days("2026-09-25", "2026-09-27")
    | days("2026-10-01", "2026-10-07")
)
WORKDAYS = {
    date.fromisoformat(day)
    for day in ("2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10")
}


def main() -> None:
    clock = BusinessClock(
        "Asia/Shanghai",
        {weekday: [("09:00", "12:00"), ("13:30", "18:00")] for weekday in range(5)},
        holidays=HOLIDAYS,
        workdays=WORKDAYS,
    )
    rng = random.Random(20260101)
    year = datetime(2026, 1, 1, tzinfo=SHANGHAI)
    starts = [year + timedelta(seconds=rng.randrange(365 * 86_400)) for _ in range(CALLS)]
    durations = [rng.uniform(0, 30) * WORKING_DAY for _ in range(CALLS)]
    # Calendar spans of up to 42 days: up to 30 working days, give or take the holidays.
    ends = [start + rng.uniform(0, 42) * timedelta(days=1) for start in starts]

    began = time.perf_counter()
    for start, duration in zip(starts, durations, strict=True):
        clock.add(start, duration)
    add_s = time.perf_counter() - began

    began = time.perf_counter()
    for start, end in zip(starts, ends, strict=True):
        clock.between(start, end)
    between_s = time.perf_counter() - began

    print(f"Python {sys.version.split()[0]}, Asia/Shanghai split shift with the 2026 holidays")
    print(f"{CALLS:,} add calls: {add_s:.3f} s; {CALLS:,} between calls: {between_s:.3f} s")
    figures = {
        "calls": CALLS,
        "add_s": round(add_s, 4),
        "between_s": round(between_s, 4),
        "add_us_per_call": round(add_s / CALLS * 1e6, 2),
        "between_us_per_call": round(between_s / CALLS * 1e6, 2),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
