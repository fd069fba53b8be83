"""An action's owner moves it along (planned, in progress, done) with a progress note, on its
progress page and through `POST /api/actions/{id}/progress/`, as read at its version (409 when
stale). The department's head and the head's delegate in force may too; HR and the heads above
see it but move nothing (403); anyone else finds nothing (404)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Delegation
from feedback.models.action_plans import Action, ActionEvent, ActionStatus
from tests.factories import UserFactory
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db
Change = ActionEvent.Change


@pytest.fixture(autouse=True)
def after_the_wave(clock_at):
    clock_at(LAUNCH + timedelta(days=30))  # 2026-10-31, the wave closed on 10-15


@pytest.fixture
def action(finance_plan):
    return finance_plan.actions.get()


@pytest.fixture
def deputy(db):
    return UserFactory(username="deputy", first_name="Dana", last_name="Wu")


def delegate(head, deputy, starts_on=date(2026, 10, 25), ends_on=date(2026, 11, 5)):
    return Delegation.objects.create(
        person=head, delegate=deputy, starts_on=starts_on, ends_on=ends_on
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def progress_url(action) -> str:
    return reverse("feedback:action_progress", args=[action.pk])


def move(user, action, **body):
    body = {"status": "in_progress", "note": "FAQ drafted", "version": 1, **body}
    return api(user).post(f"/api/actions/{action.pk}/progress/", body, format="json")


def test_the_owner_moves_their_action_on_its_page(client, agent, action):
    client.force_login(agent)
    assert client.get(progress_url(action)).context["form"] is not None

    response = client.post(
        progress_url(action), {"status": "in_progress", "note": "FAQ drafted", "version": 1}
    )

    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.IN_PROGRESS, 2)
    trail = [(e.change, e.actor, e.before, e.after, e.text) for e in action.events.all()]
    assert trail == [
        (Change.STATUS_CHANGED, agent, "planned", "in_progress", ""),
        (Change.NOTE_ADDED, agent, "", "", "FAQ drafted"),
    ]


def test_the_owners_list_links_to_the_progress_page(client, agent, action):
    client.force_login(agent)

    page = client.get(reverse("feedback:plans")).content.decode()

    assert progress_url(action) in page


def test_the_owner_moves_their_action_through_the_api(agent, action):
    response = move(agent, action, status="done")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["version"]) == ("done", 2)
    assert [(e["change"], e["actor"], e["text"]) for e in body["history"]] == [
        ("status", "agent", ""),
        ("note", "agent", "FAQ drafted"),
    ]


def test_a_note_alone_is_recorded(agent, action):
    response = move(agent, action, status="planned", note="Waiting for the payroll team")

    assert response.status_code == 200
    assert list(action.events.values_list("change", "text")) == [
        (Change.NOTE_ADDED, "Waiting for the payroll team")
    ]


def test_nothing_to_record_is_a_400(agent, action):
    response = move(agent, action, status="planned", note="  ")

    assert response.status_code == 400
    assert "non_field_errors" in response.json() or "detail" in response.json()
    assert not action.events.exists()


def test_a_stale_move_is_a_409_on_the_api_and_the_page(client, agent, action):
    assert move(agent, action).status_code == 200

    assert move(agent, action, status="done").status_code == 409
    client.force_login(agent)
    page = client.post(progress_url(action), {"status": "done", "note": "", "version": 1})
    assert page.status_code == 409
    assert Action.objects.get(pk=action.pk).status == ActionStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "dropped"), ("status", "forgotten"), ("note", "x" * 501), ("version", "one")],
)
def test_bad_input_is_a_400_with_the_fields_message(agent, action, field, value):
    response = move(agent, action, **{field: value})

    assert response.status_code == 400
    assert field in response.json()
    assert not action.events.exists()


def test_a_dropped_action_is_not_moved_by_its_owner(client, agent, action):
    Action.objects.filter(pk=action.pk).update(status=ActionStatus.DROPPED)

    assert move(agent, action).status_code == 400
    client.force_login(agent)
    assert client.get(progress_url(action)).context["form"] is None


def test_the_head_moves_an_action_of_their_department(head, action):
    assert move(head, action).status_code == 200
    assert action.events.filter(actor=head).count() == 2


def test_the_heads_delegate_in_force_moves_it_and_finds_it_on_the_plans_page(
    client, head, deputy, action
):
    delegate(head, deputy)
    client.force_login(deputy)

    plans = client.get(reverse("feedback:plans"))
    moved = move(deputy, action)

    assert plans.status_code == 200 and progress_url(action) in plans.content.decode()
    assert moved.status_code == 200
    assert action.events.filter(actor=deputy).count() == 2


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(date(2026, 10, 1), date(2026, 10, 30)), (date(2026, 11, 1), date(2026, 11, 5))],
)
def test_a_delegate_out_of_force_finds_nothing(client, head, deputy, action, starts_on, ends_on):
    delegate(head, deputy, starts_on, ends_on)
    client.force_login(deputy)

    assert move(deputy, action).status_code == 404
    assert client.get(progress_url(action)).status_code == 404
    assert client.get(reverse("feedback:plans")).status_code == 404


def test_hr_and_the_heads_above_read_it_but_move_nothing(client, hr, ceo, action):
    for person in (hr, ceo):
        assert move(person, action).status_code == 403
        client.force_login(person)
        page = client.get(progress_url(action))
        assert page.status_code == 200 and page.context["form"] is None
        assert (
            client.post(progress_url(action), {"status": "done", "version": 1}).status_code == 403
        )
    assert not action.events.exists()


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_anyone_else_finds_nothing(request, client, who, action):
    person = request.getfixturevalue(who)
    client.force_login(person)

    assert move(person, action).status_code == 404
    assert client.get(progress_url(action)).status_code == 404
    assert client.post(progress_url(action), {"status": "done", "version": 1}).status_code == 404


def test_the_progress_page_reads_in_chinese(client, agent, action):
    move(agent, action)
    client.force_login(agent)

    page = client.get(progress_url(action), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "汇报进展" in page
    assert "状态已变更" in page and "已计划 → 处理中" in page
    assert "进展说明" in page and "FAQ drafted" in page


def test_the_progress_page_reads_in_english(client, agent, action):
    move(agent, action)
    client.force_login(agent)

    page = client.get(progress_url(action)).content.decode()

    assert "Report progress" in page
    assert "Status changed" in page and "Planned → In progress" in page
