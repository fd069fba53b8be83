"""The queue's tools in Chromium: "select all on this page" ticks every row for a bulk action,
and a canned reply goes into the comment box without reloading the page."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from agreements.models import Priority
from tests.factories import CalendarFactory, ServiceFactory, agreement_in_force
from tickets import services
from tickets.models import CannedReply, Status, Ticket


def test_an_agent_acknowledges_a_whole_page_and_answers_with_a_canned_reply(
    page, log_in, screenshot, staff, agent, finance, sales
):
    service = ServiceFactory(provider=finance, name="Payroll data extract")
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P3: (timedelta(hours=4), timedelta(hours=16))},
        calendar=CalendarFactory(name="China office"),
    )
    for number in range(3):
        services.ticket_file(
            requester=staff, service=service, customer=sales, title=f"Extract {number}"
        )
    CannedReply.objects.create(
        department=finance, title="Extract sent", text="The extract is on the HR drive."
    )

    log_in(agent)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.get_by_label("Select all on this page").check()
    for row in page.get_by_role("checkbox", name=re.compile(r"^Select FIN-")).all():
        expect(row).to_be_checked()
    page.get_by_label("Action").select_option("acknowledge")
    page.get_by_role("button", name="Apply").click()

    expect(page.get_by_text("3 requests updated.")).to_be_visible()
    screenshot("acknowledged")
    assert set(Ticket.objects.values_list("status", "assignee")) == {
        (Status.ACKNOWLEDGED, agent.pk)
    }

    page.get_by_role("link", name=re.compile("Extract 0")).click()
    address = page.url
    page.get_by_role("textbox", name="Comment").fill("Hello. ")
    page.get_by_label("Canned reply").select_option(label="Extract sent")
    page.get_by_role("button", name="Insert in the comment").click()

    expect(page.get_by_role("textbox", name="Comment")).to_have_value(
        "Hello. The extract is on the HR drive."
    )
    assert page.url == address
