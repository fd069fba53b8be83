"""Issue 17's dispute journey (PRODUCT.md, rule 9), in Chromium: Finance missed the first
response of two of Sales's requests; its head disputes both from the request page. The head of
Sales accepts the first (waived) and rejects the second, which goes to the CEO, the nearest head
above both departments, who waives it. The scorecard shows both breaches waived."""

import re

from playwright.sync_api import expect

from agreements.models import Priority
from disputes.models import Dispute
from tests.support.clock import at
from tickets.alerting.breach_scan import breach_scan


def test_one_dispute_accepted_and_one_decided_above_both_show_on_the_scorecard(
    page, log_in, screenshot, breach, head, sales_head, ceo, payroll_extract, file_request, clock_at
):
    bonus = file_request(payroll_extract, title="Bonus list", priority=Priority.P1)
    breach_scan(now=at(23, 11, 2))
    clock_at(at(23, 11, 5))

    log_in(head)
    for ticket, reason, text in [
        (breach.ticket, "Caused by the customer", "Sales sent the headcount at 11:00."),
        (bonus, "Wrong priority", "Nothing depended on it this week."),
    ]:
        page.goto(ticket.get_absolute_url())
        breaches = page.get_by_role("region", name="Breaches")
        breaches.get_by_role("link", name="Dispute this breach").click()
        page.get_by_label("Reason").select_option(label=reason)
        page.get_by_label("Explanation").fill(text)
        page.get_by_role("button", name="Dispute the breach").click()
        expect(
            page.get_by_text("The breach is disputed; the customer's head decides.")
        ).to_be_visible()
        expect(page.get_by_text(text)).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(sales_head)
    page.goto("/disputes/")
    to_decide = page.get_by_role("region", name="To decide")
    to_decide.get_by_role("link", name=re.compile("Payroll")).click()
    page.get_by_label("Waive the breach").check()
    page.get_by_label("Comment").fill("Right, our headcount came late.")
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("Your decision is recorded.")).to_be_visible()
    expect(page.get_by_text("Breach waived").first).to_be_visible()
    page.goto("/disputes/")
    page.get_by_role("region", name="To decide").get_by_role(
        "link", name=re.compile("Bonus list")
    ).click()
    page.get_by_label("Let the breach stand").check()
    page.get_by_label("Comment").fill("It was urgent for us.")
    page.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("Wei Zhang decides")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    log_in(ceo)
    page.goto("/disputes/")
    page.get_by_role("region", name="To decide").get_by_role(
        "link", name=re.compile("Bonus list")
    ).click()
    expect(page.get_by_text("Nothing depended on it this week.")).to_be_visible()
    page.get_by_label("Waive the breach").check()
    page.get_by_label("Comment").fill("P1 was not what the agreement means by urgent.")
    page.get_by_role("button", name="Decide").click()
    trail = page.get_by_role("region", name="Decision trail")
    expect(trail.get_by_role("listitem")).to_have_count(3)
    screenshot("decided-above")
    page.get_by_role("button", name="Log out").click()

    assert sorted(Dispute.objects.values_list("outcome", flat=True)) == ["waived", "waived"]
    assert bonus.disputes.get().steps.count() == 3

    log_in(head)
    page.goto("/dashboards/scorecard/?period=week")
    ranking = page.get_by_role("table").filter(has_text="Survey score")
    finance = ranking.get_by_role("row", name=re.compile("Finance"))
    expect(finance).to_contain_text("2 waived")
    screenshot("scorecard")
