"""The instants of the tests, in Shanghai, and `clock_at` to freeze time at one of them."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
# Monday 23 November 2026, 09:00 in Shanghai: the office has just opened.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
# Wednesday 25 November 2026, 09:00: when the dashboards read the week of tests/support/dashboards.
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
# Thursday 1 October 2026, 09:00 in Shanghai: a quarterly campaign's first launch.
LAUNCH = datetime(2026, 10, 1, 9, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of November 2026 in Shanghai (day 23 is a Monday)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock_at():
    """Freeze time at an instant; call again to move it."""
    travellers = []

    def travel(instant: datetime):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(instant, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()
