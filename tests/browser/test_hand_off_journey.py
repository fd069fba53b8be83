"""Issue 17's hand-off journey: Finance's agent hands the laptop part of a Sales request off to
IT; IT resolves it; the request's clock, paused meanwhile, runs again; the agent resolves the
request and its requester confirms it. And the requester who cancels a request with an open
hand-off: told beforehand, the hand-off goes with it, and IT reads why."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from agreements.models import Agreement, Priority
from departments.models import Membership
from tests.factories import (
    CalendarFactory,
    DepartmentFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
    agreement_in_force,
)
from tickets import hand_offs, services
from tickets.models import Status, Ticket

HOUR = timedelta(hours=1)
TARGETS = {Priority.P2: (4 * HOUR, 16 * HOUR)}


def process(staff, finance, sales, company):
    """Finance serves Sales (pausing for hand-offs) and IT serves Finance; a Sales request to
    Finance. Returns the request, IT's agent and IT's laptop service."""
    calendar = CalendarFactory(name="China office")
    extract = ServiceFactory(provider=finance, name="Payroll data extract", default_priority="P2")
    finance_agreement = agreement_in_force(
        provider=finance, customers=[sales], services=[extract], targets=TARGETS, calendar=calendar
    )
    Agreement.objects.filter(pk=finance_agreement.pk).update(pauses_for_hand_offs=True)
    it = DepartmentFactory(code="IT", name="IT", parent=company)
    it_agent = UserFactory(username="it_agent", first_name="Ivy", last_name="Tan")
    MembershipFactory(user=it_agent, department=it, role=Membership.Role.AGENT)
    laptop = ServiceFactory(provider=it, name="New laptop", default_priority="P2")
    agreement_in_force(
        provider=it, customers=[finance], services=[laptop], targets=TARGETS, calendar=calendar
    )
    parent = services.ticket_file(
        requester=staff, service=extract, customer=sales, title="Payroll for the new engineer"
    )
    return parent, it_agent, laptop


def test_an_agent_hands_off_to_it_it_resolves_and_the_requester_confirms(
    page, log_in, screenshot, staff, agent, head, finance, sales, company
):
    parent, it_agent, _laptop = process(staff, finance, sales, company)

    log_in(agent)
    page.goto(parent.get_absolute_url())
    page.get_by_role("button", name="Acknowledge").click()
    page.get_by_role("link", name="Hand off to another department").click()
    page.get_by_label("Service of another department").select_option(label="IT · New laptop")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Title").fill("Laptop for the new engineer")
    page.get_by_role("button", name="Open the hand-off").click()

    hand_offs = page.locator("#hand-offs")
    expect(hand_offs.get_by_role("link", name=re.compile(r"IT-\d+"))).to_be_visible()
    targets = page.get_by_role("table").filter(has_text="First response")
    expect(targets.get_by_role("row", name=re.compile("Resolution"))).to_contain_text("paused")
    screenshot("waiting-on-it")
    child = Ticket.objects.get(parent=parent)
    page.get_by_role("button", name="Log out").click()

    log_in(it_agent)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.get_by_role("link", name=re.compile("Laptop for the new engineer")).click()
    expect(page.get_by_text("a request Finance works on")).to_be_visible()
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("h1")).to_contain_text("Resolved")
    page.get_by_role("button", name="Log out").click()

    log_in(agent)
    page.goto(parent.get_absolute_url())
    expect(targets.get_by_role("row", name=re.compile("Resolution"))).not_to_contain_text("paused")
    expect(hand_offs).to_contain_text("Resolved")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("h1")).to_contain_text("Resolved")
    page.get_by_role("button", name="Log out").click()

    log_in(staff)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My requests").click()
    page.get_by_role("link", name=re.compile("Payroll for the new engineer")).click()
    page.get_by_role("group", name="Rating").get_by_label("5").check()
    page.get_by_role("button", name="Confirm the result").click()
    expect(page.locator("h1")).to_contain_text("Closed")
    screenshot("confirmed")

    parent.refresh_from_db()
    child.refresh_from_db()
    assert (parent.status, child.status) == (Status.CLOSED, Status.RESOLVED)
    assert parent.pauses.filter(reason="child", ended_at__isnull=False).exists()


def test_the_requester_cancels_a_request_and_its_open_hand_off_goes_with_it(
    page, log_in, screenshot, staff, agent, finance, sales, company
):
    parent, it_agent, laptop = process(staff, finance, sales, company)
    child = hand_offs.ticket_open_child(
        parent_id=parent.pk, by=agent, service=laptop, title="Laptop for the new engineer"
    )

    log_in(staff)
    page.goto(parent.get_absolute_url())
    cancel = page.get_by_role("button", name="Cancel the request")
    expect(cancel).to_have_accessible_description("1 open hand-off will be cancelled too.")
    screenshot("told-beforehand")
    cancel.click()
    expect(page.locator("h1")).to_contain_text("Cancelled")
    expect(page.locator("#hand-offs")).to_contain_text("Cancelled")
    page.get_by_role("button", name="Log out").click()

    log_in(it_agent)
    page.goto(child.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("Cancelled")
    expect(page.locator(".timeline")).to_contain_text("cancelled it with its parent request")
    expect(page.locator(".timeline")).to_contain_text(parent.reference)
    screenshot("cancelled-with-its-parent")
