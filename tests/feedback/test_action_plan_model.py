"""Action plans as records: one per wave and department, owners from the department, questions
from the wave, and an admin that shows them without letting anyone change them around the
pages' checks."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from feedback.models.action_plans import ActionPlan

pytestmark = pytest.mark.django_db


def test_a_department_has_one_plan_per_wave(finance_plan):
    with pytest.raises(IntegrityError):
        ActionPlan.objects.create(
            wave=finance_plan.wave,
            department=finance_plan.department,
            created_at=finance_plan.created_at,
        )


def test_an_action_owner_must_belong_to_the_department(finance_plan, staff):
    action = finance_plan.actions.get()
    action.owner = staff

    with pytest.raises(ValidationError) as raised:
        action.full_clean()

    assert "owner" in raised.value.message_dict


def test_an_action_by_a_member_of_the_department_is_valid(finance_plan):
    finance_plan.actions.get().full_clean()


def test_the_admin_lists_and_shows_plans_and_actions_read_only(client, admin_user, finance_plan):
    client.force_login(admin_user)
    action = finance_plan.actions.get()

    pages = [
        client.get(reverse("admin:feedback_actionplan_changelist")),
        client.get(reverse("admin:feedback_actionplan_change", args=[finance_plan.pk])),
        client.get(reverse("admin:feedback_action_changelist")),
        client.get(reverse("admin:feedback_action_change", args=[action.pk])),
    ]

    assert [page.status_code for page in pages] == [200] * 4
    assert "Answer every payroll question" in pages[1].content.decode()
    assert (
        client.post(
            reverse("admin:feedback_action_change", args=[action.pk]), {"what": "x"}
        ).status_code
        == 403
    )
