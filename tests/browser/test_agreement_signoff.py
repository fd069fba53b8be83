"""Issue 3's walk-through: the Finance head proposes an agreement, the Sales head accepts it,
and the service page shows the new targets in working hours."""

import re

import pytest
from playwright.sync_api import expect

from departments.models import Membership
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory, UserFactory


@pytest.fixture
def sales_head(sales):
    person = UserFactory(username="sales.head", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=person, department=sales, role=Membership.Role.HEAD)
    return person


def test_a_head_proposes_the_customer_head_accepts_and_the_service_shows_the_targets(
    page, log_in, screenshot, head, sales_head, finance, sales
):
    CalendarFactory(name="China office")
    service = ServiceFactory(provider=finance, name="Payroll data extract")

    log_in(head)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    page.get_by_role("link", name="Draft an agreement for Finance").click()
    page.get_by_label("Title").fill("Finance services for Sales")
    page.get_by_label("Business calendar").select_option(label="China office")
    page.get_by_label("Payroll data extract (FIN)").check()
    page.get_by_label("Sales", exact=True).check()
    page.get_by_label("P1 · Critical first response (working hours)").fill("1")
    page.get_by_label("P1 · Critical resolution (working hours)").fill("4")
    page.get_by_label("P3 · Normal first response (working hours)").fill("8")
    page.get_by_label("P3 · Normal resolution (working hours)").fill("37.5")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Propose to the customers").click()
    expect(page.get_by_text("Proposed.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(sales_head)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements").click()
    awaiting = page.get_by_role("region", name="Awaiting your signature").or_(
        page.locator("section.attention")
    )
    awaiting.get_by_role("link", name=re.compile("Finance services for Sales")).click()
    expect(page.get_by_role("heading", name="Sign for Sales")).to_be_visible()
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("Accepted.")).to_be_visible()
    expect(page.locator(".status-active").first).to_be_visible()

    page.get_by_role("link", name="Payroll data extract").first.click()
    targets = page.get_by_role("table")
    expect(
        targets.get_by_role(
            "row", name=re.compile("P1 · Critical.*1 working hour.*4 working hours")
        )
    ).to_be_visible()
    expect(
        targets.get_by_role(
            "row", name=re.compile("P3 · Normal.*8 working hours.*37.5 working hours")
        )
    ).to_be_visible()
    screenshot("service-with-targets")
    assert service.agreements.get().status == "active"
