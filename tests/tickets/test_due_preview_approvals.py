"""The filing page's due-time preview evaluates the approval steps' conditions on the answers
typed so far and the requesting department, as filing will (tickets.approval_chain.plan)."""

import pytest
from django.urls import reverse

from agreements.models import ApprovalStep, Priority

PURCHASE_FORM = [
    {"name": "amount", "label": "Amount", "type": "number", "required": True},
    {"name": "category", "label": "Category", "type": "choice",
     "choices": ["Hardware", "Software"], "required": True},
]  # fmt: skip


@pytest.fixture
def purchase_rules(purchase, agreement):
    """Software needs the head of Finance; anything over 10,000 the CFO."""
    purchase.form_fields = PURCHASE_FORM
    purchase.save()
    ApprovalStep.objects.filter(service=purchase, position=1).update(
        condition_field="category", condition_operator="eq", condition_value="Software"
    )
    ApprovalStep.objects.filter(service=purchase, position=2).update(
        condition_field="amount", condition_operator="gt", condition_value="10000"
    )
    return purchase


def preview(client, service, customer, language="en", **answers):
    query = {"customer": customer.pk, "priority": Priority.P1}
    query.update({f"answer_{name}": value for name, value in answers.items()})
    response = client.get(
        reverse("tickets:due_preview", args=[service.pk]),
        query,
        headers={"HX-Request": "true", "Accept-Language": language},
    )
    return response.status_code, response.content.decode()


def test_with_no_step_applying_the_resolution_clock_starts_at_once(
    client, staff, sales, purchase_rules
):
    client.force_login(staff)

    status, page = preview(client, purchase_rules, sales, amount="800", category="Hardware")

    assert status == 200
    assert "Resolution due at" in page
    assert "23 Nov 2026, 14:30" in page
    assert "no approval is needed" in page
    assert "after the last approval" not in page


def test_the_preview_names_the_approvals_the_answers_call_for(client, staff, sales, purchase_rules):
    client.force_login(staff)

    _, page = preview(client, purchase_rules, sales, amount="20000", category="Hardware")

    assert "The resolution clock starts after the last approval" in page
    assert "Step 2 (Jun Qian): Amount &gt; 10,000" in page
    assert "Step 1" not in page


def test_unanswered_questions_keep_their_steps_in_the_preview(client, staff, sales, purchase_rules):
    client.force_login(staff)

    _, page = preview(client, purchase_rules, sales, amount="a lot")

    assert "Step 1 (Head of Finance): Category not answered" in page
    assert "Step 2 (Jun Qian): Amount not answered" in page


def test_a_step_without_a_condition_is_named_in_the_preview(client, staff, sales, purchase):
    client.force_login(staff)

    _, page = preview(client, purchase, sales)

    assert "Step 1 (Head of Finance)</li>" in page
    assert "Step 2 (Jun Qian)</li>" in page


def test_a_step_for_other_departments_is_left_out_of_the_preview(
    client, staff, sales, purchase_rules
):
    ApprovalStep.objects.filter(service=purchase_rules, position=1).update(
        condition_field="@department", condition_operator="eq", condition_value="FIN"
    )
    client.force_login(staff)

    _, page = preview(client, purchase_rules, sales, amount="20000")

    assert "Step 1" not in page
    assert "Step 2 (Jun Qian)" in page


def test_the_preview_button_evaluates_the_answers_typed(client, staff, sales, purchase_rules):
    client.force_login(staff)
    form = {
        "title": "Monitors",
        "customer": sales.pk,
        "priority": Priority.P1,
        "answer_amount": "900",
        "answer_category": "Software",
        "preview": "1",
    }

    response = client.post(reverse("tickets:new", args=[purchase_rules.pk]), form)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Step 1 (Head of Finance): Category = Software" in page
    assert "Step 2" not in page
    assert 'hx-include="#id_customer, #id_priority, #answers"' in page


def test_the_preview_says_it_in_chinese(client, staff, sales, purchase_rules):
    client.force_login(staff)
    chinese = {"language": "zh-hans", "category": "Hardware"}

    _, waiting = preview(client, purchase_rules, sales, amount="20000", **chinese)
    _, skipped = preview(client, purchase_rules, sales, amount="20", **chinese)

    assert "根据目前填写的内容，以下审批通过后才开始处理：" in waiting
    assert "根据目前填写的内容，无需审批：提交后即开始计算解决时限。" in skipped
