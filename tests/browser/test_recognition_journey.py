"""Issue 18's recognition journey: a requester confirms a request and thanks the agent; HR runs a
recognition cycle, picks an award from the candidates and publishes it; another person sees the
awards page, without the agent's personal figures."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from agreements.models import Priority
from recognition.models import Cycle
from tests.factories import CalendarFactory, ServiceFactory, agreement_in_force
from tickets import services
from tickets.models import Kudos
from tickets.workflow import Action

HOUR = timedelta(hours=1)


def test_a_requester_thanks_hr_publishes_an_award_and_everyone_sees_it(
    page, log_in, screenshot, staff, agent, hr, outsider, finance, sales
):
    service = ServiceFactory(provider=finance, name="Payroll data extract")
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P3: (4 * HOUR, 16 * HOUR)},
        calendar=CalendarFactory(name="China office"),
    )
    ticket = services.ticket_file(
        requester=staff, service=service, customer=sales, title="October payroll"
    )
    for action in (Action.ACKNOWLEDGE, Action.RESOLVE):
        services.ticket_transition(
            ticket_id=ticket.pk, by=agent, action=action, expected_version=None
        )

    log_in(staff)
    page.goto(ticket.get_absolute_url())
    page.get_by_role("group", name="Rating").get_by_label("5").check()
    page.get_by_label("Thank the agent and Finance (optional)").fill("Quick and clear, thanks!")
    page.get_by_role("button", name="Confirm the result").click()
    expect(page.locator("h1")).to_contain_text("Closed")
    expect(page.get_by_text("Quick and clear, thanks!")).to_be_visible()
    expect(page.get_by_role("heading", name="Say thanks")).to_have_count(0)
    assert Kudos.objects.get().agent == agent
    page.get_by_role("button", name="Log out").click()

    log_in(hr)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recognition").click()
    page.get_by_role("link", name="New cycle").click()
    today = timezone.localdate()
    page.get_by_label("Name").fill("This month")
    page.get_by_label("From").fill((today - timedelta(days=30)).isoformat())
    page.get_by_label("To").fill(today.isoformat())
    page.get_by_role("button", name="Create the cycle").click()
    people = page.get_by_role("table").filter(has_text="Requests resolved")
    expect(people.get_by_role("row", name=re.compile("Alex Huang"))).to_contain_text("1")
    page.get_by_label("or a person").select_option(label="Alex Huang")
    page.get_by_label("Title").fill("Most thanked colleague")
    page.get_by_label("Reason").fill("Requesters thanked Alex more than anyone this month.")
    page.get_by_role("button", name="Add the award").click()
    expect(page.get_by_role("heading", name="Most thanked colleague")).to_be_visible()
    page.get_by_role("button", name="Publish the cycle").click()
    expect(page.locator("h1")).to_contain_text("Published")
    screenshot("published")
    assert Cycle.objects.get().is_published
    page.get_by_role("button", name="Log out").click()

    log_in(outsider)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Awards").click()
    expect(page.get_by_role("heading", name="Most thanked colleague")).to_be_visible()
    expect(page.get_by_text("Requesters thanked Alex more than anyone this month.")).to_be_visible()
    expect(page.get_by_text("Requests resolved")).to_have_count(0)
    screenshot("awards")
