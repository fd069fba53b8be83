"""A department's survey results show its action plan under each question: the wave's actions
(what, owner, due date, status), and on a later wave the earlier wave's actions beside their
question's score change, the plan page's figures. Only those who may open the plan page see
them; the results read as before for everyone else."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback.models.action_plans import Action, ActionPlan
from feedback.plan_panel import plan_actions_panel
from surveys.models import Wave
from tests.support.clock import LAUNCH
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def after_the_wave(clock_at):
    clock_at(LAUNCH + timedelta(days=30))  # 2026-10-31, the wave closed on 10-15


def results_url(wave, department):
    return reverse("surveys:department_results", args=[wave.pk, department.code])


def panels_by_question(response):
    return {result.question: result.panels for result in response.context["row"].questions}


def second_wave(first, finance, sales, head, scores=(5, 5, 4, 5, 5, 4)):
    """Wave 2 of the same campaign, closed on 2026-10-28 (LAUNCH + 27 days)."""
    wave = Wave.objects.create(
        campaign=first.campaign, number=2, period_start=LAUNCH,
        period_end=LAUNCH + timedelta(days=20), launched_at=LAUNCH + timedelta(days=20),
        closes_at=LAUNCH + timedelta(days=27),
    )  # fmt: skip
    respond(wave, finance, list(scores), respondent_department=sales)
    wave.invitations.create(recipient=head, rated_department=finance, answered=True)
    return wave


def test_the_head_reads_each_action_under_its_question(client, head, finance_plan, finance):
    action = finance_plan.actions.get()
    client.force_login(head)

    response = client.get(results_url(finance_plan.wave, finance))

    assert response.status_code == 200
    panels = panels_by_question(response)
    [entry] = panels.pop(action.question)
    assert entry.panel.actions == [action]
    assert not any(panels.values())  # the other questions have no action
    page = response.content.decode()
    assert "Answer every payroll question within a day" in page
    assert "Alex Huang" in page
    assert "due 15 Jan 2027" in page
    assert "Planned" in page
    assert reverse("feedback:action_progress", args=[action.pk]) in page


def test_hr_reads_the_actions_too(client, hr, finance_plan, finance):
    client.force_login(hr)

    page = client.get(results_url(finance_plan.wave, finance)).content.decode()

    assert "Answer every payroll question within a day" in page


def test_an_overdue_action_says_so(client, head, finance_plan, finance, clock_at):
    clock_at(LAUNCH + timedelta(days=120))  # past the action's due date, 2027-01-15
    client.force_login(head)

    page = client.get(results_url(finance_plan.wave, finance)).content.decode()

    assert '<span class="overdue">overdue</span>' in page


def test_the_next_wave_shows_the_earlier_actions_with_the_plan_pages_change(
    client, head, finance_plan, finance, sales
):
    second = second_wave(finance_plan.wave, finance, sales, head)
    client.force_login(head)

    results = client.get(results_url(second, finance))
    plan = client.get(reverse("feedback:plan", args=[second.pk, finance.code]))

    [entry] = panels_by_question(results)[finance_plan.actions.get().question]
    [followed] = entry.panel.followed
    [on_the_plan] = plan.context["followed"]
    assert (followed.action, followed.before, followed.after) == (
        on_the_plan.action,
        on_the_plan.before,
        on_the_plan.after,
    )
    page = results.content.decode()
    assert "Actions after wave 1" in page
    assert "mean 4.00 → 4.67 (+0.67)" in page


def test_an_open_wave_shows_its_results_without_actions(
    client, head, finance_plan, finance, sales, clock_at
):
    finance_plan.wave.campaign.__class__.objects.filter(pk=finance_plan.wave.campaign_id).update(
        anonymous=False
    )  # its results show while a wave is open, its plan page does not
    second = second_wave(finance_plan.wave, finance, sales, head)
    clock_at(LAUNCH + timedelta(days=22))
    client.force_login(head)

    response = client.get(results_url(second, finance))

    assert response.status_code == 200
    assert response.context["released"]
    assert not any(panels_by_question(response).values())
    assert "Answer every payroll question within a day" not in response.content.decode()
    assert client.get(reverse("feedback:plan", args=[second.pk, finance.code])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "agent", "outsider", "ceo"])
def test_nobody_else_sees_the_actions(client, request, finance_plan, finance, who):
    """The owner reads their action on its own page, not the department's results; a head above
    reads neither the results nor the plan page of a department below."""
    person = request.getfixturevalue(who)
    client.force_login(person)

    assert client.get(results_url(finance_plan.wave, finance)).status_code == 404
    assert plan_actions_panel(person, finance_plan.wave, finance) is None


def test_the_actions_read_in_chinese(client, head, finance_plan, finance, sales):
    second = second_wave(finance_plan.wave, finance, sales, head)
    client.force_login(head)

    first = client.get(results_url(finance_plan.wave, finance), HTTP_ACCEPT_LANGUAGE="zh-hans")
    later = client.get(results_url(second, finance), HTTP_ACCEPT_LANGUAGE="zh-hans")

    first_page, later_page = first.content.decode(), later.content.decode()
    assert "计划的改进措施" in first_page
    assert "截止 2027年1月15日" in first_page
    assert "已计划" in first_page
    assert "第 1 轮调查后的改进措施" in later_page
    assert "平均分 4.00 → 4.67（+0.67）" in later_page


def plan_on_every_question(wave, department, owner):
    plan = ActionPlan.objects.create(wave=wave, department=department, created_at=wave.closes_at)
    for question in wave.campaign.questions.all():
        if question.scale:
            Action.objects.create(
                plan=plan, question=question, what=f"Improve {question.pk}", owner=owner,
                due_on=date(2027, 1, 15), created_at=plan.created_at, updated_at=plan.created_at,
            )  # fmt: skip


def test_the_page_reads_as_many_queries_however_many_questions(
    client, head, agent, campaign, default_questions, finance, sales
):
    def two_waves_with_plans(questions):
        first = Wave.objects.create(
            campaign=campaign(questions=questions), number=1,
            period_start=LAUNCH - timedelta(days=90), period_end=LAUNCH, launched_at=LAUNCH,
            closes_at=LAUNCH + timedelta(days=14),
        )  # fmt: skip
        respond(first, finance, [4, 4, 5, 3, 4, 4], respondent_department=sales)
        first.invitations.create(recipient=head, rated_department=finance, answered=True)
        plan_on_every_question(first, finance, agent)
        second = second_wave(first, finance, sales, head)
        plan_on_every_question(second, finance, agent)
        return second

    likert = [question for question in default_questions if question.kind == "likert"]
    few, many = two_waves_with_plans(likert[:1]), two_waves_with_plans(likert)
    client.force_login(head)

    counted = []
    for wave in (few, many):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(results_url(wave, finance))
        shown = [entry for entries in panels_by_question(response).values() for entry in entries]
        counted.append((len(queries), len(shown)))

    assert counted[0][1] == 1 and counted[1][1] == len(likert) > 1
    assert counted[0][0] == counted[1][0]
