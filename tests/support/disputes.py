"""A breach to dispute, on top of the world of tests/support/world.py: Finance (headed by `head`)
serves Sales (headed by `sales_head`), both inside the Executive Office (headed by `ceo`).

`breach`: a P1 payroll request filed by `staff` on Monday 23 November 2026 at 09:00 (Shanghai)
misses its first response (1 working hour, due 10:00); the breach scan records it at 10:01, and
time stays frozen there. A dispute opened then has the default window of 16 working hours:
Monday 10:01-12:00 and 13:30-18:00 (6 h 29 min), Tuesday (7.5 h), then Wednesday from 09:00:
due Wednesday 11:01."""

import pytest

from agreements.models import Priority
from departments.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.support.clock import at
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, Target


@pytest.fixture
def sales_head(sales):
    user = UserFactory(username="sales_head", first_name="Mei", last_name="Chen")
    MembershipFactory(user=user, department=sales, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def ceo(company):
    user = UserFactory(username="ceo", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=user, department=company, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def breach(sales_head, ceo, head, agreement, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    ticket = file_request(payroll_extract, title="Payroll", priority=Priority.P1)
    clock_at(at(23, 10, 1))
    breach_scan(now=at(23, 10, 1))
    return Breach.objects.get(ticket=ticket, target=Target.FIRST_RESPONSE)
