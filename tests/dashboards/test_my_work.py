"""The home page, "My work": each person's open requests with their time left, what waits on
them, an agent's queue in numbers and what is about to breach, a head's breaches and warnings of
today; each section for whom it applies, each with its empty state, in a fixed number of
queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import Agreement, Priority
from departments.models import Delegation, Membership
from surveys.models import Invitation, Wave
from tests.factories import DepartmentFactory, MembershipFactory, ServiceFactory
from tests.support.clock import HOUR, at
from tests.support.world import TARGETS
from tickets import my_work, services
from tickets.alerting.breach_scan import breach_scan
from tickets.workflow import Action


def home(client, person) -> str:
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def advance(ticket, by, *actions):
    for action in actions:
        ticket.refresh_from_db()
        services.ticket_transition(
            ticket_id=ticket.pk, by=by, action=action, expected_version=ticket.version
        )
    ticket.refresh_from_db()
    return ticket


# My open requests -------------------------------------------------------------------------------


def test_staff_see_their_open_requests_with_the_time_left(
    client, staff, agreement, payroll_extract, file_request, clock_at
):
    ticket = file_request(payroll_extract, priority=Priority.P2)  # first response due 14:30
    clock_at(at(23, 9, 40))

    page = home(client, staff)

    assert ticket.reference in page and "October payroll" in page
    assert "3 h 20 min of working time left" in page
    assert f'data-time-left="{ticket.pk}"' in page
    assert "data-time-left-poll" in page


def test_a_request_that_is_over_is_not_among_the_open_ones(
    client, staff, agent, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract, title="Finished business")
    advance(ticket, staff, Action.CANCEL)

    page = home(client, staff)

    assert "Finished business" not in page
    assert "You have no open request." in page


@pytest.mark.parametrize("person", ["staff", "agent", "head", "hr", "outsider"])
def test_everyone_without_requests_is_told_how_to_file_one(client, request, person):
    page = home(client, request.getfixturevalue(person))

    assert "You have no open request." in page
    assert reverse("agreements:catalogue") in page


def test_someone_elses_request_is_not_on_my_home(
    client, staff, hr, outsider, agreement, payroll_extract, file_request
):
    file_request(payroll_extract, title="Private payroll")

    for person in (hr, outsider):
        assert "Private payroll" not in home(client, person)


# What waits on me -------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["staff", "agent", "hr", "outsider"])
def test_nothing_waits_on_a_person_with_nothing_to_do(client, request, person):
    page = home(client, request.getfixturevalue(person))

    assert "Nothing waits on you" in page


def test_a_question_asked_of_the_requester_waits_on_them(
    client, staff, agent, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract, priority=Priority.P2)
    advance(ticket, agent, Action.ACKNOWLEDGE, Action.ASK)

    page = home(client, staff)

    assert "Questions asked of me" in page
    assert "Finance waits on your answer" in page
    assert "left when it resumes" in page
    assert "Nothing waits on you" not in page
    assert "Questions asked of me" not in home(client, agent)


def test_a_resolved_request_waits_for_its_requester_to_confirm(
    client, staff, agent, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract, title="Payroll to check")
    advance(ticket, agent, Action.ACKNOWLEDGE, Action.RESOLVE)

    page = home(client, staff)

    assert "Results to confirm" in page
    assert page.count("Payroll to check") == 1  # no longer among the open requests


def test_an_approval_waits_on_its_approver_and_on_their_delegate(
    client, staff, head, agent, outsider, agreement, purchase, file_request
):
    file_request(purchase, title="New laptops")
    Delegation.objects.create(
        person=head, delegate=outsider, starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30)
    )

    own = home(client, head)
    deputised = home(client, outsider)

    assert "Approvals to decide" in own and "New laptops" in own
    assert "Approvals to decide" in deputised and "for Fang Liu" in deputised
    assert "Approvals to decide" not in home(client, agent)


def test_a_proposal_to_a_department_i_head_waits_for_my_signature(
    client, head, agent, finance, human_resources, calendar, clock_at
):
    hr_head = human_resources.head or _head_of(human_resources)
    draft = agreement_services.agreement_save_draft(
        agreement=Agreement(provider=human_resources, title="Payroll inputs", calendar=calendar),
        by=hr_head,
        revision=None,
        services=[ServiceFactory(provider=human_resources, name="Payroll inputs")],
        customers=[finance],
        targets=TARGETS,
        approval_windows=None,
    )
    agreement_services.agreement_propose(agreement_id=draft.pk, by=hr_head, revision=draft.revision)

    page = home(client, head)

    assert "Agreements to sign" in page
    assert "Payroll inputs" in page and "proposed by Human Resources" in page
    assert "Agreements to sign" not in home(client, agent)


def _head_of(department):
    return MembershipFactory(department=department, role=Membership.Role.HEAD).user


def test_an_open_invitation_waits_on_its_recipient_only(
    client, staff, agent, finance, sales, campaign, clock_at
):
    clock_at(at(23, 9))
    wave = Wave.objects.create(
        campaign=campaign(),
        number=1,
        period_start=at(1, 0),
        period_end=at(23, 0),
        launched_at=at(23, 8),
        closes_at=at(30, 18),
    )
    Invitation.objects.create(
        wave=wave, recipient=staff, rated_department=finance, respondent_department=sales
    )

    page = home(client, staff)

    assert "Surveys to answer" in page and "Rate Finance" in page
    assert "/surveys/answer/" in page
    assert "Surveys to answer" not in home(client, agent)


# An agent's queue -------------------------------------------------------------------------------


def test_an_agent_sees_their_queue_in_numbers_with_links_to_the_queue(
    client, agent, agreement, payroll_extract, file_request, clock_at
):
    mine = file_request(payroll_extract, priority=Priority.P3, title="Mine")
    services.ticket_assign(ticket_id=mine.pk, by=agent, assignee=agent, expected_version=None)
    file_request(payroll_extract, priority=Priority.P1, title="Late")  # due 10:00
    file_request(payroll_extract, priority=Priority.P2, title="Soon")  # warning at 12:00
    clock_at(at(23, 14))

    client.force_login(agent)
    response = client.get(reverse("home"))
    [figures] = response.context["queues"]

    assert (figures.unassigned, figures.mine, figures.due_soon, figures.overdue) == (2, 1, 1, 1)
    page = response.content.decode()
    assert "My queue" in page
    assert f"{reverse('tickets:queue')}?department=FIN&amp;assignee=unassigned" in page
    assert f"{reverse('tickets:queue')}?department=FIN&amp;assignee=mine" in page


def test_an_agent_sees_what_is_about_to_breach(
    client, agent, agreement, payroll_extract, file_request, clock_at
):
    file_request(payroll_extract, priority=Priority.P2, title="Soon")  # due 14:30, warning 12:00
    clock_at(at(23, 14))

    page = home(client, agent)

    assert "About to breach" in page and "Soon" in page
    assert "30 min of working time left" in page


def test_an_agent_with_nothing_about_to_breach_is_told_so(client, agent):
    page = home(client, agent)

    assert "My queue" in page and "No request is about to breach." in page


def test_an_agents_queue_figures_are_one_query_however_many_departments(
    agent, agreement, payroll_extract, file_request, clock_at
):
    for code, name in (("IT", "IT"), ("LEGAL", "Legal")):
        department = DepartmentFactory(code=code, name=name)
        MembershipFactory(user=agent, department=department, role=Membership.Role.AGENT)
    file_request(payroll_extract, priority=Priority.P1)
    clock_at(at(23, 14))

    with CaptureQueriesContext(connection) as queries:
        figures = my_work.queue_figures(agent, timezone.now())

    assert len(queries) == 1
    assert [(f.department.code, f.unassigned, f.overdue) for f in figures] == [
        ("FIN", 1, 1),
        ("IT", 0, 0),
        ("LEGAL", 0, 0),
    ]


@pytest.mark.parametrize("person", ["staff", "hr", "outsider"])
def test_the_queue_section_is_only_for_agents_and_heads(client, request, person):
    page = home(client, request.getfixturevalue(person))

    assert "My queue" not in page


# A head's day -----------------------------------------------------------------------------------


def test_a_head_sees_todays_breaches_and_warnings_of_their_department(
    client, head, agreement, payroll_extract, file_request, clock_at
):
    file_request(payroll_extract, priority=Priority.P1, title="Breached")  # due 10:00
    file_request(payroll_extract, priority=Priority.P2, title="Warned")  # warning 12:00
    clock_at(at(23, 13, 45))
    breach_scan()

    page = home(client, head)

    assert "Breaches today" in page and "Warnings today" in page
    breaches = page.split("Breaches today")[1].split("Warnings today")[0]
    warnings = page.split("Warnings today")[1]
    assert "Breached" in breaches and "for Sales" in breaches
    assert "Warned" in warnings


def test_yesterdays_breaches_are_not_todays(
    client, head, agreement, payroll_extract, file_request, clock_at
):
    file_request(payroll_extract, priority=Priority.P1, title="Breached")
    clock_at(at(23, 10, 30))
    breach_scan()
    clock_at(at(24, 9))

    page = home(client, head)

    assert "No breach today." in page


@pytest.mark.parametrize("person", ["staff", "agent", "hr", "outsider"])
def test_the_department_section_is_only_for_heads(client, request, person):
    page = home(client, request.getfixturevalue(person))

    assert "Breaches today" not in page


# Cost and language ------------------------------------------------------------------------------


def test_the_home_costs_the_same_queries_for_3_and_30_requests(
    client, staff, head, agent, agreement, payroll_extract, purchase, file_request, clock_at
):
    def queries_for(person) -> int:
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        return len(queries)

    def file_some(count):
        """Waiting on its requester, resolved, awaiting approval, running, in turn."""
        for number in range(count):
            if number % 4 == 2:
                file_request(purchase)
                continue
            ticket = file_request(payroll_extract)
            if number % 4 == 0:
                advance(ticket, agent, Action.ACKNOWLEDGE, Action.ASK)
            elif number % 4 == 1:
                advance(ticket, agent, Action.ACKNOWLEDGE, Action.RESOLVE)

    file_some(3)
    clock_at(at(23, 9) + 2 * HOUR)
    breach_scan()
    few = {person.username: queries_for(person) for person in (staff, agent, head)}
    clock_at(at(23, 9, 5))
    file_some(27)
    clock_at(at(23, 9) + 2 * HOUR + timedelta(minutes=5))
    breach_scan()
    many = {person.username: queries_for(person) for person in (staff, agent, head)}

    assert many == few


def test_the_home_reads_in_chinese(
    client, staff, agreement, payroll_extract, file_request, clock_at
):
    file_request(payroll_extract, priority=Priority.P2)
    clock_at(at(23, 9, 40))
    client.force_login(staff)

    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'lang="zh-hans"' in page
    assert "我的工作" in page and "我的未结请求" in page
    assert "剩余 3 小时 20 分钟工作时间" in page
