"""Assigning requests: to oneself or a colleague from the queue and the request page, by
acknowledging, and automatically per service (round robin or fewest open requests), skipping
people on leave."""

from datetime import timedelta

import pytest
from django.urls import reverse

from agreements.models import AutoAssign, Priority
from departments.models import Delegation, Membership
from tests.factories import MembershipFactory, ServiceFactory, UserFactory, agreement_in_force
from tests.support.clock import MONDAY_9AM
from tests.support.concurrency import run_at_once
from tickets import services
from tickets.models import Event, Status
from tickets.workflow import Action


@pytest.fixture
def colleagues(finance, agent):
    """Finance's agents in the order of the round robin: `agent`, then Bo, then Chen."""
    bo = UserFactory(username="bo", first_name="Bo", last_name="Wang")
    chen = UserFactory(username="chen", first_name="Chen", last_name="Zhao")
    for person in (bo, chen):
        MembershipFactory(user=person, department=finance, role=Membership.Role.AGENT)
    return [agent, bo, chen]


def auto_assigning(service, strategy=AutoAssign.ROUND_ROBIN):
    service.auto_assign = strategy
    service.save()
    return service


def on_leave(person, days=1):
    today = MONDAY_9AM.date()
    Delegation.objects.create(
        person=person,
        delegate=UserFactory(),
        starts_on=today,
        ends_on=today + timedelta(days=days - 1),
    )


def assigned_events(ticket):
    return list(ticket.events.filter(kind=Event.Kind.ASSIGNED).values_list("actor", "text"))


# By hand -----------------------------------------------------------------------------------------


def test_an_agent_assigns_a_request_to_themselves_from_the_request_page(
    client, agent, head, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    page = client.get(ticket.get_absolute_url()).content.decode()
    response = client.post(
        reverse("tickets:assign", args=[ticket.pk]),
        {"assignee": agent.pk, "version": ticket.version},
    )

    assert "Assign to me" in page
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert "Assign to me" not in client.get(ticket.get_absolute_url()).content.decode()


def test_an_agent_takes_a_request_from_the_queue_and_returns_to_it_as_filtered(
    client, agent, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)
    queue = client.get(reverse("tickets:queue"), {"priority": "P2"})
    path = reverse("tickets:queue_assign", args=[ticket.pk]) + "?priority=P2"

    response = client.post(path, {"assignee": "me", "version": ticket.version})

    assert "Assign to me" in queue.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:queue") + "?priority=P2"
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert assigned_events(ticket) == [(agent.pk, "Alex Huang")]


def test_an_agent_assigns_a_request_to_a_colleague_from_the_queue(
    client, agent, head, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    response = client.post(
        reverse("tickets:queue_assign", args=[ticket.pk]),
        {"assignee": head.pk, "version": ticket.version},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == head


def test_a_request_is_not_assigned_to_someone_outside_the_provider(
    client, agent, staff, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    response = client.post(
        reverse("tickets:queue_assign", args=[ticket.pk]),
        {"assignee": staff.pk, "version": ticket.version},
    )

    assert response.status_code == 400
    assert "Assign it to an agent of Finance." in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.version) == (None, 0)


@pytest.mark.parametrize("assignee", ["nobody", "", "0", "99999999999999999999"])
def test_a_malformed_assignee_from_the_queue_is_refused(
    client, agent, agreement, payroll_extract, file_request, assignee
):
    ticket = file_request(payroll_extract)
    client.force_login(agent)

    response = client.post(
        reverse("tickets:queue_assign", args=[ticket.pk]),
        {"assignee": assignee, "version": ticket.version},
    )

    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_request_that_changed_meanwhile_is_not_assigned_from_the_queue(
    client, agent, head, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    seen = ticket.version
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=head, expected_version=seen)
    client.force_login(agent)

    response = client.post(
        reverse("tickets:queue_assign", args=[ticket.pk]), {"assignee": "me", "version": seen}
    )

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.assignee == head


def test_the_requester_cannot_assign_from_the_queue(
    client, staff, agent, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    client.force_login(staff)

    response = client.post(
        reverse("tickets:queue_assign", args=[ticket.pk]),
        {"assignee": agent.pk, "version": ticket.version},
    )

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None


# Acknowledging -----------------------------------------------------------------------------------


def test_acknowledging_an_unassigned_request_assigns_it_to_the_agent(
    agent, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)

    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=ticket.version
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.ACKNOWLEDGED, agent)
    kinds = list(ticket.events.values_list("kind", "actor", "text"))
    assert kinds[-2:] == [
        (Event.Kind.TRANSITION, agent.pk, ""),
        (Event.Kind.ASSIGNED, agent.pk, "Alex Huang"),
    ]


def test_acknowledging_a_request_assigned_to_a_colleague_keeps_the_colleague(
    agent, head, agreement, payroll_extract, file_request
):
    ticket = file_request(payroll_extract)
    ticket = services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=head, expected_version=0)

    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=ticket.version
    )

    ticket.refresh_from_db()
    assert ticket.assignee == head
    assert len(assigned_events(ticket)) == 1


def test_an_administrator_outside_the_provider_acknowledges_without_taking_the_request(
    agreement, payroll_extract, file_request
):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    ticket = file_request(payroll_extract)

    services.ticket_transition(
        ticket_id=ticket.pk, by=admin, action=Action.ACKNOWLEDGE, expected_version=0
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.ACKNOWLEDGED, None)


# Automatic assignment ------------------------------------------------------------------------


def test_a_service_without_automatic_assignment_leaves_requests_unassigned(
    colleagues, agreement, payroll_extract, file_request
):
    assert file_request(payroll_extract).assignee is None


def test_round_robin_gives_requests_to_the_agents_in_turn_and_not_to_the_head(
    colleagues, head, agreement, payroll_extract, file_request
):
    auto_assigning(payroll_extract)

    assignees = [file_request(payroll_extract).assignee for _ in range(4)]

    assert assignees == [*colleagues, colleagues[0]]


def test_round_robin_skips_an_agent_on_leave_who_keeps_their_turn(
    colleagues, agreement, payroll_extract, file_request, clock_at
):
    agent, bo, chen = colleagues
    auto_assigning(payroll_extract)
    on_leave(bo)

    today = [file_request(payroll_extract).assignee for _ in range(2)]
    clock_at(MONDAY_9AM + timedelta(days=1))
    tomorrow = [file_request(payroll_extract).assignee for _ in range(2)]

    assert today == [agent, chen]
    assert tomorrow == [agent, bo]


def test_the_head_gets_requests_only_when_every_agent_is_away(
    agent, head, agreement, payroll_extract, file_request
):
    auto_assigning(payroll_extract)
    on_leave(agent)

    assert file_request(payroll_extract).assignee == head


def test_nobody_is_assigned_when_the_whole_department_is_away(
    agent, head, agreement, payroll_extract, file_request
):
    auto_assigning(payroll_extract)
    on_leave(agent)
    on_leave(head)

    ticket = file_request(payroll_extract)

    assert ticket.assignee is None
    assert assigned_events(ticket) == []


def test_fewest_open_requests_gives_the_request_to_the_least_busy_agent(
    colleagues, agreement, payroll_extract, unagreed_service, file_request
):
    agent, bo, chen = colleagues
    for person, count in ((agent, 2), (bo, 1), (chen, 2)):
        for _ in range(count):
            ticket = file_request(unagreed_service)
            services.ticket_assign(
                ticket_id=ticket.pk, by=person, assignee=person, expected_version=0
            )
    finished = file_request(unagreed_service)
    services.ticket_assign(ticket_id=finished.pk, by=bo, assignee=bo, expected_version=0)
    services.ticket_transition(
        ticket_id=finished.pk, by=bo, action=Action.RESOLVE, expected_version=1
    )
    auto_assigning(payroll_extract, AutoAssign.FEWEST_OPEN)

    first = file_request(payroll_extract).assignee
    second = file_request(payroll_extract).assignee

    assert first == bo
    # Now all three have two open requests: the turn goes on after Bo.
    assert second == chen


def test_automatic_assignment_is_on_the_timeline_as_made_by_accord(
    client, agent, agreement, payroll_extract, file_request
):
    auto_assigning(payroll_extract)

    ticket = file_request(payroll_extract)

    assert assigned_events(ticket) == [(None, "Alex Huang")]
    client.force_login(agent)
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "<strong>Accord</strong> assigned the request" in page


def test_a_request_needing_approval_is_assigned_once_it_is_approved(
    agent, head, cfo, agreement, purchase, file_request
):
    auto_assigning(purchase)
    ticket = file_request(purchase)
    assert ticket.assignee is None

    for approver in (head, cfo):
        step = ticket.approvals.get(approver=approver)
        services.approval_decide(approval_id=step.pk, by=approver, approve=True)

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.APPROVED, agent)


def test_a_request_given_back_to_the_queue_goes_to_another_agent(
    colleagues, agreement, payroll_extract, file_request
):
    agent, bo, _chen = colleagues
    auto_assigning(payroll_extract)
    ticket = file_request(payroll_extract)
    assert ticket.assignee == agent

    ticket = services.ticket_assign(
        ticket_id=ticket.pk, by=agent, assignee=None, expected_version=ticket.version
    )

    ticket.refresh_from_db()
    assert ticket.assignee == bo
    assert assigned_events(ticket)[-2:] == [(agent.pk, ""), (None, "Bo Wang")]


def test_a_reopened_request_whose_agent_is_away_goes_to_a_colleague(
    staff, colleagues, agreement, payroll_extract, file_request
):
    agent, bo, _chen = colleagues
    auto_assigning(payroll_extract)
    ticket = file_request(payroll_extract)
    ticket = services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.RESOLVE, expected_version=ticket.version
    )
    on_leave(agent)

    services.ticket_transition(
        ticket_id=ticket.pk, by=staff, action=Action.REOPEN, expected_version=ticket.version
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee) == (Status.REOPENED, bo)


@pytest.mark.django_db(transaction=True)
def test_two_requests_filed_at_once_go_to_two_agents(staff, sales, agent, finance):
    colleague = MembershipFactory(department=finance, role=Membership.Role.AGENT).user
    service = ServiceFactory(provider=finance, auto_assign=AutoAssign.ROUND_ROBIN)
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P3: (timedelta(hours=8), timedelta(hours=40))},
    )

    def filing(title):
        return lambda: services.ticket_file(
            requester=staff, service=service, customer=sales, title=title
        )

    outcomes = run_at_once(*(filing(f"Extract {number}") for number in range(4)))

    assignees = [outcome.assignee for outcome in outcomes]
    assert sorted(person.pk for person in assignees) == sorted([agent.pk, colleague.pk] * 2)
