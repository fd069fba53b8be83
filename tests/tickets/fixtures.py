"""Fixtures of the requests core tests: Finance supplies services to Sales under an agreement
on the China office calendar (Mon-Fri 09:00-12:00 and 13:30-18:00, Asia/Shanghai)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from agreements.models import ApprovalStep, Priority
from tests.factories import CalendarFactory, ServiceFactory, UserFactory, agreement_in_force

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
# Monday 23 November 2026, 09:00 in Shanghai: the office has just opened.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
TARGETS = {
    Priority.P1: (1 * HOUR, 4 * HOUR),
    Priority.P2: (4 * HOUR, 8 * HOUR),
    Priority.P3: (8 * HOUR, 40 * HOUR),
}


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of the week of 23 November 2026 in Shanghai (day 23 is Monday)."""
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


@pytest.fixture
def payroll_extract(finance):
    return ServiceFactory(
        provider=finance, name="Payroll data extract", default_priority=Priority.P2
    )


@pytest.fixture
def purchase(finance):
    return ServiceFactory(provider=finance, name="Purchase request")


@pytest.fixture
def cfo(company):
    return UserFactory(username="cfo", first_name="Jun", last_name="Qian")


@pytest.fixture
def approval_chain(purchase, finance, cfo):
    """Purchases need the Finance head, then the CFO."""
    ApprovalStep.objects.create(
        service=purchase,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
    )
    ApprovalStep.objects.create(
        service=purchase, position=2, approver=ApprovalStep.Approver.PERSON, person=cfo
    )
    return purchase


@pytest.fixture
def agreement(finance, sales, head, payroll_extract, purchase, clock_at):
    clock_at(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI))
    return agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[payroll_extract, purchase],
        targets=TARGETS,
        calendar=CalendarFactory(name="China office"),
        windows={1: 8 * HOUR, 2: 16 * HOUR},
    )
