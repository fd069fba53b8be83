"""A breached target still unmet climbs the provider's hierarchy: N working hours after its due
time the parent department's head is told (level 2), N more the grandparent's (level 3), each
once; through `mail.outbox`, with the Celery tasks run inline.

The example: Finance sits in the Executive Office, itself in the Group. A P1 request filed Monday
09:00 (Shanghai, 09:00-12:00 and 13:30-18:00) misses its first response at 10:00; the agreement
escalates after 2 working hours: level 2 at 12:00, level 3 at 15:30 (lunch does not count)."""

from datetime import timedelta

import pytest
from django.core import mail

from agreements.models import Agreement, Priority
from config.celery import app as celery_app
from departments.models import Membership
from outbox.models import Message
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.support.clock import HOUR, at
from tickets import letters, services
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.escalation import escalate_breaches
from tickets.models import Breach, Escalation, Target
from tickets.workflow import Action


@pytest.fixture(autouse=True)
def tasks_run_inline():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def ceo(company):
    user = UserFactory(username="ceo", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=user, department=company, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def chair(company):
    group = DepartmentFactory(code="GROUP", name="Group")
    company.parent = group
    company.save()
    user = UserFactory(username="chair", first_name="Lan", last_name="Zhou")
    MembershipFactory(user=user, department=group, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def escalating(agreement):
    Agreement.objects.filter(pk=agreement.pk).update(escalation_after=2 * HOUR)
    return agreement


@pytest.fixture
def run(django_capture_on_commit_callbacks, clock_at):
    """Run a periodic job at an instant, and its after-commit sending, as beat would."""

    def job(function, now):
        clock_at(now)
        with django_capture_on_commit_callbacks(execute=True):
            return function()

    return job


@pytest.fixture
def breached(file_request, payroll_extract, run):
    """The request, its first response breached at 10:00 and seen by the scan at 10:01."""
    ticket = file_request(payroll_extract, title="Payroll", priority=Priority.P1)
    run(breach_scan, at(23, 10, 1))
    run(escalate_breaches, at(23, 10, 1))
    mail.outbox.clear()
    return ticket


def escalated_to() -> list[str]:
    return [m.to[0] for m in mail.outbox if "escalation level" in m.subject]


def test_the_parents_head_is_told_after_n_working_hours(escalating, ceo, breached, run):
    run(escalate_breaches, at(23, 11, 59))
    assert escalated_to() == []

    run(escalate_breaches, at(23, 12))

    assert escalated_to() == [ceo.email]
    escalation = Escalation.objects.get()
    assert (escalation.level, escalation.department.code) == (2, "EXEC")


def test_the_grandparents_head_is_told_n_working_hours_later(escalating, ceo, chair, breached, run):
    run(escalate_breaches, at(23, 12))
    run(escalate_breaches, at(23, 15, 29))
    assert escalated_to() == [ceo.email]

    run(escalate_breaches, at(23, 15, 30))

    assert escalated_to() == [ceo.email, chair.email]
    assert list(Escalation.objects.values_list("level", flat=True)) == [2, 3]


def test_each_level_is_told_once(escalating, ceo, chair, breached, run):
    run(escalate_breaches, at(23, 12))
    run(escalate_breaches, at(23, 12))
    run(escalate_breaches, at(26, 12))
    run(escalate_breaches, at(26, 12))

    assert escalated_to() == [ceo.email, chair.email]


def test_escalation_stops_at_the_top_of_the_hierarchy(escalating, ceo, breached, run):
    run(escalate_breaches, at(26, 12))

    assert escalated_to() == [ceo.email]
    assert Breach.objects.get().escalation_ended


def test_a_target_met_in_the_meantime_stops_the_escalation(
    escalating, ceo, breached, agent, run, clock_at
):
    clock_at(at(23, 11))
    services.ticket_transition(
        ticket_id=breached.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=None
    )

    run(escalate_breaches, at(23, 12))

    assert escalated_to() == []
    assert Breach.objects.get(target=Target.FIRST_RESPONSE).escalation_ended


def test_an_agreement_without_escalation_escalates_nothing(agreement, ceo, breached, run):
    run(escalate_breaches, at(27, 18))

    assert escalated_to() == []
    assert not Escalation.objects.exists()


def test_the_escalation_email_says_what_was_missed_and_at_which_level(
    escalating, ceo, breached, run
):
    run(escalate_breaches, at(23, 12))

    email = next(m for m in mail.outbox if m.to == [ceo.email])
    assert email.subject == (
        f"[FIN-{breached.pk}] Payroll: First response target still missed (escalation level 2)"
    )
    assert "due at 23 Nov 2026, 10:00 (Asia/Shanghai) and is 2\xa0hours late" in email.body
    assert "head of Executive Office (escalation level 2)" in email.body


def test_the_job_costs_the_same_statements_for_one_or_many_breaches(
    escalating, ceo, file_request, payroll_extract, run, django_assert_max_num_queries
):
    for number in range(10):
        file_request(payroll_extract, title=f"#{number}", priority=Priority.P1)
    run(breach_scan, at(23, 10, 1))
    run(escalate_breaches, at(23, 10, 1))

    with django_assert_max_num_queries(20):
        result = escalate_breaches(now=at(23, 12) + timedelta(minutes=1))

    assert len(result.escalations) == 10


def test_the_escalation_email_escapes_the_heads_name_in_html_only(
    escalating, ceo, breached, run, smtp_server
):
    ceo.first_name, ceo.last_name = "Wei & Co", "<Zhang>"
    ceo.save()

    run(escalate_breaches, at(23, 12))

    [received] = smtp_server.addressed_to(ceo.email)
    [row] = Message.objects.filter(kind=letters.ESCALATION)
    assert received["Message-ID"] == row.message_id
    assert "Hello Wei & Co <Zhang>," in received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Hello Wei &amp; Co &lt;Zhang&gt;," in html
    assert "escalation level 2" in received["Subject"]
