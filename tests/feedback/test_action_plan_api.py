"""Action plans through the API: the pages' people and the pages' form. The department's head
records and changes actions; HR reads every plan but changes none (403); the owner reads their
own action; anyone else finds nothing (404)."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from feedback.models.action_plans import Action
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def after_the_wave(clock_at):
    clock_at(LAUNCH + timedelta(days=30))  # 2026-10-31, the wave closed on 10-15


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def likert(wave):
    return [question for question in wave.campaign.questions.all() if question.scale]


def new_action(wave, finance, agent, **changes) -> dict:
    return {"wave": wave.pk, "department": finance.code, "question": likert(wave)[0].pk,
            "what": "Weekly office hours", "owner": agent.pk, "due_on": "2026-11-20",
            "status": "planned", **changes}  # fmt: skip


def test_the_head_records_an_action_and_reads_the_plan(head, agent, closed_wave, finance):
    created = api(head).post(
        "/api/actions/", new_action(closed_wave, finance, agent), format="json"
    )

    assert created.status_code == 201
    assert created.json()["owner"] == agent.pk and created.json()["status"] == "planned"
    (plan,) = api(head).get("/api/action-plans/").json()["results"]
    assert plan["department"] == finance.code
    assert [action["what"] for action in plan["actions"]] == ["Weekly office hours"]


def test_the_head_changes_an_action_and_a_new_due_date_asks_for_a_new_reminder(head, finance_plan):
    action = finance_plan.actions.get()
    Action.objects.filter(pk=action.pk).update(reminded_at=LAUNCH)

    changed = api(head).patch(
        f"/api/actions/{action.pk}/", {"status": "in_progress", "due_on": "2027-02-01"},
        format="json",
    )  # fmt: skip

    assert changed.status_code == 200
    action.refresh_from_db()
    assert (action.status, action.due_on.isoformat()) == ("in_progress", "2027-02-01")
    assert action.reminded_at is None


@pytest.mark.parametrize(
    ("field", "value"),
    [("owner", 999999), ("question", 999999), ("due_on", "1999-12-31"), ("status", "forgotten")],
)
def test_bad_input_is_a_400_with_the_fields_message(
    head, agent, closed_wave, finance, field, value
):
    response = api(head).post(
        "/api/actions/", new_action(closed_wave, finance, agent, **{field: value}), format="json"
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Action.objects.exists()


def test_hr_reads_every_plan_but_changes_none(hr, agent, finance_plan, closed_wave, finance):
    action = finance_plan.actions.get()

    assert api(hr).get("/api/action-plans/").json()["count"] == 1
    assert api(hr).get("/api/actions/?overdue=false").json()["count"] == 1
    assert api(hr).patch(f"/api/actions/{action.pk}/", {"status": "done"}).status_code == 403
    posted = api(hr).post("/api/actions/", new_action(closed_wave, finance, agent), format="json")
    assert posted.status_code == 403


def test_the_owner_reads_their_action_but_not_the_plan(agent, finance_plan):
    action = finance_plan.actions.get()

    assert api(agent).get(f"/api/actions/{action.pk}/").status_code == 200
    assert api(agent).get(f"/api/action-plans/{finance_plan.pk}/").status_code == 404
    assert api(agent).patch(f"/api/actions/{action.pk}/", {"status": "done"}).status_code == 403


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_anyone_else_finds_nothing(request, who, agent, finance_plan, closed_wave, finance):
    client = api(request.getfixturevalue(who))
    action = finance_plan.actions.get()

    assert client.get("/api/action-plans/").json()["count"] == 0
    assert client.get("/api/actions/").json()["count"] == 0
    assert client.get(f"/api/actions/{action.pk}/").status_code == 404
    posted = client.post("/api/actions/", new_action(closed_wave, finance, agent), format="json")
    assert posted.status_code == 404


def test_an_action_cannot_be_replaced_whole(head, finance_plan):
    action = finance_plan.actions.get()

    assert api(head).put(f"/api/actions/{action.pk}/", {"status": "done"}).status_code == 405
