"""The filing page's due preview follows the answers: typing an amount over the limit names the
approval it calls for, lowering it shows the resolution clock starting at once (htmx)."""

import re
from datetime import timedelta

from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import ApprovalStep, Priority
from tests.factories import CalendarFactory, ServiceFactory, UserFactory, agreement_in_force

HOUR = timedelta(hours=1)


def test_the_due_preview_follows_the_amount_typed(page, log_in, screenshot, staff, finance, sales):
    purchase = ServiceFactory(
        provider=finance,
        name="Purchase request",
        default_priority=Priority.P2,
        form_fields=[{"name": "amount", "label": "Amount", "type": "number", "required": True}],
    )
    ApprovalStep.objects.create(
        service=purchase,
        position=1,
        approver=ApprovalStep.Approver.PERSON,
        person=UserFactory(username="cfo", first_name="Jun", last_name="Qian"),
        condition_field="amount",
        condition_operator="gt",
        condition_value="10000",
    )
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[purchase],
        targets={Priority.P2: (4 * HOUR, 16 * HOUR)},
        calendar=CalendarFactory(name="China office"),
    )
    preview = page.locator("#due-preview")

    log_in(staff)
    page.goto(reverse("tickets:new", args=[purchase.pk]))
    expect(preview).to_contain_text("Step 1 (Jun Qian): Amount not answered")
    page.get_by_label(re.compile("^Amount")).fill("25000")
    page.get_by_label(re.compile("^Amount")).blur()
    expect(preview).to_contain_text("Step 1 (Jun Qian): Amount > 10,000")
    expect(preview).to_contain_text("The resolution clock starts after the last approval")
    screenshot("approval")
    page.get_by_label(re.compile("^Amount")).fill("800")
    page.get_by_label(re.compile("^Amount")).blur()

    expect(preview).to_contain_text("no approval is needed")
    expect(preview).to_contain_text("Resolution due at")
    expect(preview).not_to_contain_text("Jun Qian")
