"""Issue 4's staff journey: staff files a request to Finance and sees its due times; the agent
acknowledges and resolves it; staff confirms and rates it."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from agreements.models import Priority
from tests.factories import CalendarFactory, ServiceFactory, agreement_in_force
from tickets.models import Status, Ticket

HOUR = timedelta(hours=1)


def test_staff_files_a_request_the_agent_resolves_it_and_staff_rates_it(
    page, log_in, screenshot, staff, agent, head, finance, sales
):
    service = ServiceFactory(
        provider=finance,
        name="Payroll data extract",
        default_priority=Priority.P2,
        form_fields=[{"name": "month", "label": "Which month", "type": "text", "required": True}],
    )
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P2: (4 * HOUR, 16 * HOUR)},
        calendar=CalendarFactory(name="China office"),
    )

    log_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Services").click()
    page.get_by_role("link", name="Payroll data extract").click()
    page.get_by_role("link", name="Request this service").click()
    expect(page.get_by_text(re.compile("First response due at"))).to_be_visible()
    page.get_by_label("Title").fill("October payroll for the Shanghai team")
    page.get_by_label(re.compile("^Which month")).fill("October 2026")
    page.get_by_role("button", name="Submit request").click()

    expect(
        page.get_by_role("heading", name="October payroll for the Shanghai team")
    ).to_be_visible()
    due_times = page.get_by_role("table").filter(has_text="First response")
    expect(due_times.get_by_role("row", name=re.compile("First response"))).to_contain_text("left")
    screenshot("filed")
    ticket = Ticket.objects.get()
    assert ticket.first_response_due_at is not None
    page.get_by_role("button", name="Log out").click()

    log_in(agent)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.get_by_role("link", name=re.compile("October payroll")).click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text(re.compile("met at"))).to_be_visible()
    page.get_by_label("What was done (optional)").fill("Extract attached to the HR drive.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("h1")).to_contain_text("Resolved")
    page.get_by_role("button", name="Log out").click()

    log_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    page.get_by_role("link", name=re.compile("October payroll")).click()
    rating = page.get_by_role("group", name="Rating")
    rating.get_by_label("5").check()
    page.get_by_role("button", name="Confirm the result").click()
    expect(page.locator("h1")).to_contain_text("Closed")
    screenshot("closed")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == (Status.CLOSED, 5)
