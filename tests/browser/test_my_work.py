"""Staff start their day on "My work": their open request with its time left, which keeps
current on the page without a reload (one poll for the page, out-of-band swaps, no inline
script). The server's clock is moved forward with time-machine while the page stays open."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from agreements.models import Priority
from tests.factories import CalendarFactory, ServiceFactory, agreement_in_force
from tests.support.clock import at
from tickets import live, services

HOUR = timedelta(hours=1)


@pytest.fixture
def server_time():
    """Move the clock of the tests and of the live server (one process) to an instant, from
    where it runs on."""
    travellers = []

    def travel(instant):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(instant, tick=True)
        traveller.start()
        travellers.append(traveller)

    yield travel
    for traveller in travellers:
        traveller.stop()


def test_staff_see_their_request_and_its_time_left_update_without_a_reload(
    page, log_in, screenshot, staff, agent, finance, sales, server_time, monkeypatch
):
    monkeypatch.setattr(live, "POLL_SECONDS", 1)
    server_time(at(23, 9))
    service = ServiceFactory(provider=finance, name="Payroll data extract")
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P2: (4 * HOUR, 8 * HOUR)},
        calendar=CalendarFactory(name="China office", time_zone="Asia/Shanghai"),
    )
    services.ticket_file(
        requester=staff, service=service, customer=sales, title="October payroll",
        priority=Priority.P2, answers={},
    )  # fmt: skip  # first response due 14:30
    server_time(at(23, 9, 40))

    log_in(staff)
    page.goto("/")
    expect(page.get_by_role("heading", name="My work", exact=True)).to_be_visible()
    row = page.get_by_role("row", name=re.compile("October payroll"))
    expect(row).to_contain_text(re.compile(r"3 h (19|20) min of working time left"))
    screenshot("home")
    page.evaluate("window.accordTestMarker = 'still the same page'")

    server_time(at(23, 10, 40))

    expect(row).to_contain_text(re.compile(r"2 h (19|20) min of working time left"))
    assert page.evaluate("window.accordTestMarker") == "still the same page"

    server_time(at(23, 14, 45))

    expect(row.locator(".urgency-overdue")).to_contain_text(re.compile(r"overdue by 1[45] min"))
    assert page.evaluate("window.accordTestMarker") == "still the same page"
