"""Every change of an action is on its trail (ActionEvent, shaped as a complaint's events): its
creation, an edit of what it says, a new owner or due date, a status and a progress note, each
with who, when, and from what to what; shown on the plan page and in the API's action detail."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from feedback.models.action_plans import Action, ActionEvent
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db
Change = ActionEvent.Change


@pytest.fixture(autouse=True)
def after_the_wave(clock_at):
    clock_at(LAUNCH + timedelta(days=30))  # 2026-10-31, the wave closed on 10-15


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def plan_url(plan) -> str:
    return reverse("feedback:plan", args=[plan.wave_id, plan.department.code])


def likert(wave):
    return [question for question in wave.campaign.questions.all() if question.scale]


def test_the_heads_new_action_starts_its_trail(client, head, agent, closed_wave, finance):
    client.force_login(head)

    client.post(
        reverse("feedback:plan", args=[closed_wave.pk, finance.code]),
        {"question": likert(closed_wave)[0].pk, "what": "Weekly office hours",
         "owner": agent.pk, "due_on": "2026-11-20", "status": "planned"},
    )  # fmt: skip

    (event,) = Action.objects.get().events.all()
    assert (event.change, event.actor, event.after) == (Change.CREATED, head, "Weekly office hours")


def test_an_edit_records_each_change_from_what_to_what(head, finance_plan):
    action = finance_plan.actions.get()

    response = api(head).patch(
        f"/api/actions/{action.pk}/",
        {"owner": head.pk, "due_on": "2027-02-01", "status": "in_progress",
         "what": "Answer payroll questions the same day", "version": 1},
        format="json",
    )  # fmt: skip

    assert response.status_code == 200, response.json()
    trail = list(action.events.values_list("change", "actor__username", "before", "after"))
    assert trail == [
        (Change.EDITED, "head", "Answer every payroll question within a day",
         "Answer payroll questions the same day"),
        (Change.OWNER_CHANGED, "head", "Alex Huang", "Fang Liu"),
        (Change.DUE_CHANGED, "head", "2027-01-15", "2027-02-01"),
        (Change.STATUS_CHANGED, "head", "planned", "in_progress"),
    ]  # fmt: skip
    detail = api(head).get(f"/api/actions/{action.pk}/").json()
    assert [row["change"] for row in detail["history"]] == ["edited", "owner", "due", "status"]
    assert detail["version"] == 2


def test_a_stale_edit_is_a_409_and_changes_nothing(head, finance_plan):
    action = finance_plan.actions.get()
    api(head).patch(f"/api/actions/{action.pk}/", {"status": "in_progress"}, format="json")

    stale = api(head).patch(
        f"/api/actions/{action.pk}/", {"status": "done", "version": 1}, format="json"
    )

    assert stale.status_code == 409
    assert Action.objects.get(pk=action.pk).status == "in_progress"
    assert action.events.count() == 1


def test_a_stale_edit_on_the_page_is_a_409(client, head, agent, finance_plan):
    action = finance_plan.actions.get()
    Action.objects.filter(pk=action.pk).update(version=2)
    client.force_login(head)

    response = client.post(
        reverse("feedback:action_edit", args=[action.pk]),
        {"question": action.question_id, "what": action.what, "owner": agent.pk,
         "due_on": "2027-01-15", "status": "done", "version": 1},
    )  # fmt: skip

    assert response.status_code == 409
    assert Action.objects.get(pk=action.pk).status == "planned"


def test_the_plan_page_shows_each_actions_history_in_both_languages(
    client, head, agent, finance_plan
):
    action = finance_plan.actions.get()
    api(head).patch(f"/api/actions/{action.pk}/", {"due_on": "2027-02-01"}, format="json")
    api(agent).post(
        f"/api/actions/{action.pk}/progress/",
        {"status": "in_progress", "note": "FAQ drafted", "version": 2},
        format="json",
    )
    client.force_login(head)

    english = client.get(plan_url(finance_plan)).content.decode()
    chinese = client.get(plan_url(finance_plan), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "Due date changed" in english and "2027-01-15 → 2027-02-01" in english
    assert "Planned → In progress" in english and "FAQ drafted" in english
    assert "截止日期已变更" in chinese and "已计划 → 处理中" in chinese


def test_the_plan_pages_queries_do_not_grow_with_actions_and_their_history(
    client, head, agent, finance_plan
):
    client.force_login(head)
    first = finance_plan.actions.get()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(plan_url(finance_plan)).status_code == 200
        return len(captured)

    before = queries()
    for number in range(3):
        action = Action.objects.create(
            plan=finance_plan, question=first.question, what=f"Action {number}", owner=agent,
            due_on=first.due_on, created_at=first.created_at, updated_at=first.created_at,
        )  # fmt: skip
        for change in (Change.CREATED, Change.NOTE_ADDED):
            ActionEvent.objects.create(action=action, change=change, actor=head, at=LAUNCH)

    assert queries() == before
