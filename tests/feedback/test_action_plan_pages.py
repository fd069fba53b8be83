"""Action plan pages: the head of a rated department plans against the wave's questions,
weakest first, hidden ones left out as on the results page; HR sees every plan and the overdue
actions but changes none; anyone else gets a 404."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from config.navigation import navigation_for
from feedback.models.action_plans import Action, ActionPlan
from surveys.models import Answer, Wave
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def after_the_wave(clock_at):
    clock_at(LAUNCH + timedelta(days=30))  # 2026-10-31, the wave closed on 10-15


def plan_url(wave, department):
    return reverse("feedback:plan", args=[wave.pk, department.code])


def likert(wave):
    return [question for question in wave.campaign.questions.all() if question.scale]


def test_the_head_sees_the_questions_weakest_first(client, head, closed_wave, finance):
    weakest = likert(closed_wave)[-1]
    Answer.objects.filter(question=weakest, response__rated_department=finance).update(value=1)
    client.force_login(head)

    response = client.get(plan_url(closed_wave, finance))

    assert response.status_code == 200
    rows = response.context["questions"]
    assert rows[0].question == weakest
    assert rows[0].mean == 1
    assert len(rows) == len(likert(closed_wave))


def test_the_head_adds_an_action_and_the_plan_is_made(client, head, agent, closed_wave, finance):
    client.force_login(head)
    question = likert(closed_wave)[0]

    response = client.post(
        plan_url(closed_wave, finance),
        {"question": question.pk, "what": "Weekly office hours", "owner": agent.pk,
         "due_on": "2026-11-20", "status": "planned"},
    )  # fmt: skip

    assert response.status_code == 302
    action = Action.objects.get()
    assert (action.plan.department, action.question, action.owner) == (finance, question, agent)
    assert action.due_on == date(2026, 11, 20)


def test_an_owner_from_another_department_is_refused(client, head, staff, closed_wave, finance):
    client.force_login(head)

    response = client.post(
        plan_url(closed_wave, finance),
        {"question": likert(closed_wave)[0].pk, "what": "x", "owner": staff.pk,
         "due_on": "2026-11-20", "status": "planned"},
    )  # fmt: skip

    assert response.status_code == 400
    assert "owner" in response.context["form"].errors
    assert not ActionPlan.objects.exists()


def test_the_head_edits_an_action_and_a_new_due_date_asks_for_a_new_reminder(
    client, head, finance_plan
):
    action = finance_plan.actions.get()
    action.reminded_at = LAUNCH
    action.save()
    client.force_login(head)

    response = client.post(
        reverse("feedback:action_edit", args=[action.pk]),
        {"question": action.question_id, "what": "Done differently", "owner": action.owner_id,
         "due_on": "2027-02-01", "status": "in_progress"},
    )  # fmt: skip

    action.refresh_from_db()
    assert response.status_code == 302
    assert (action.what, action.status, action.reminded_at) == (
        "Done differently",
        "in_progress",
        None,
    )


def test_questions_hidden_on_the_results_page_are_not_shown(client, head, campaign, finance, sales):
    wave = Wave.objects.create(
        campaign=campaign(), number=1, period_start=LAUNCH - timedelta(days=90),
        period_end=LAUNCH, launched_at=LAUNCH, closes_at=LAUNCH + timedelta(days=14),
    )  # fmt: skip
    respond(wave, finance, [1, 2], respondent_department=sales)  # under the threshold
    wave.invitations.create(recipient=head, rated_department=finance, answered=True)
    client.force_login(head)

    response = client.get(plan_url(wave, finance))

    assert response.status_code == 200
    assert response.context["questions"] == []
    assert response.context["form"] is None


def test_an_open_wave_has_no_plan_page(client, head, closed_wave, finance, clock_at):
    clock_at(LAUNCH + timedelta(days=1))
    client.force_login(head)

    assert client.get(plan_url(closed_wave, finance)).status_code == 404


def test_hr_sees_every_plan_and_the_overdue_actions(client, hr, finance_plan, clock_at):
    clock_at(LAUNCH + timedelta(days=120))  # past the action's due date, 2027-01-15
    client.force_login(hr)

    listing = client.get(reverse("feedback:plans"))
    plan = client.get(plan_url(finance_plan.wave, finance_plan.department))

    assert listing.status_code == 200
    assert list(listing.context["page"].object_list) == [finance_plan]
    assert list(listing.context["overdue"]) == list(finance_plan.actions.all())
    assert plan.status_code == 200
    assert plan.context["form"] is None


def test_hr_may_not_change_a_plan(client, hr, finance_plan):
    client.force_login(hr)
    action = finance_plan.actions.get()

    assert client.post(plan_url(finance_plan.wave, finance_plan.department)).status_code == 403
    assert client.get(reverse("feedback:action_edit", args=[action.pk])).status_code == 403


def test_a_head_does_not_see_another_departments_plan(client, head, closed_wave, human_resources):
    client.force_login(head)

    assert client.get(plan_url(closed_wave, human_resources)).status_code == 404


def test_an_owner_reads_their_actions_but_not_the_plan(client, agent, finance_plan):
    client.force_login(agent)

    listing = client.get(reverse("feedback:plans"))

    assert listing.status_code == 200
    assert list(listing.context["owned"]) == list(finance_plan.actions.all())
    assert list(listing.context["page"].object_list) == []
    assert list(listing.context["overdue"]) == []
    assert client.get(plan_url(finance_plan.wave, finance_plan.department)).status_code == 404


@pytest.mark.parametrize("who", ["staff", "agent", "outsider"])
def test_plans_are_a_404_for_anyone_else(client, request, finance_plan, who):
    client.force_login(request.getfixturevalue(who))
    action = finance_plan.actions.get()

    if who != "agent":  # the owner of the action reads it on the list (above)
        assert client.get(reverse("feedback:plans")).status_code == 404
    assert client.get(plan_url(finance_plan.wave, finance_plan.department)).status_code == 404
    assert client.get(reverse("feedback:action_edit", args=[action.pk])).status_code == 404


def test_the_next_wave_shows_each_action_beside_the_change_in_its_score(
    client, head, finance_plan, finance, sales
):
    first = finance_plan.wave
    second = Wave.objects.create(
        campaign=first.campaign, number=2, period_start=LAUNCH,
        period_end=LAUNCH + timedelta(days=20), launched_at=LAUNCH + timedelta(days=20),
        closes_at=LAUNCH + timedelta(days=27),
    )  # fmt: skip
    respond(second, finance, [5, 5, 4, 5, 5, 4], respondent_department=sales)
    second.invitations.create(recipient=head, rated_department=finance, answered=True)
    client.force_login(head)

    response = client.get(plan_url(second, finance))

    [row] = response.context["followed"]
    assert row.action == finance_plan.actions.get()
    assert (row.before, row.after) == (pytest.approx(4.0), pytest.approx(14 / 3))
    assert "+0.67" in response.content.decode()


def test_a_change_hidden_in_the_next_wave_is_not_shown(client, head, finance_plan, finance, sales):
    second = Wave.objects.create(
        campaign=finance_plan.wave.campaign, number=2, period_start=LAUNCH,
        period_end=LAUNCH + timedelta(days=20), launched_at=LAUNCH + timedelta(days=20),
        closes_at=LAUNCH + timedelta(days=27),
    )  # fmt: skip
    respond(second, finance, [1, 1], respondent_department=sales)  # under the threshold
    second.invitations.create(recipient=head, rated_department=finance, answered=True)
    client.force_login(head)

    [row] = client.get(plan_url(second, finance)).context["followed"]

    assert (row.after, row.change) == (None, None)


def test_the_navigation_leads_an_owner_to_their_actions_until_they_are_done(agent, finance_plan):
    assert navigation_for(agent).plans
    finance_plan.actions.update(status="done")
    assert not navigation_for(agent).plans
