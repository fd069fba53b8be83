"""The state machine: every allowed transition works, every other one is refused."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.support.clock import MONDAY_9AM
from tickets import services
from tickets.models import Event, Status, Ticket
from tickets.workflow import TRANSITIONS, Action, Role, allowed_actions, next_status

PATHS = {  # how to bring a fresh request into each status
    Status.NEW: [],
    Status.ACKNOWLEDGED: [(Action.ACKNOWLEDGE, "agent")],
    Status.IN_PROGRESS: [(Action.START, "agent")],
    Status.WAITING: [(Action.ASK, "agent")],
    Status.RESOLVED: [(Action.RESOLVE, "agent")],
    Status.REOPENED: [(Action.RESOLVE, "agent"), (Action.REOPEN, "staff")],
    Status.CLOSED: [(Action.RESOLVE, "agent"), (Action.CONFIRM, "staff")],
    Status.CANCELLED: [(Action.CANCEL, "staff")],
}
PEOPLE_BY_ROLE = {Role.REQUESTER: "staff", Role.AGENT: "agent"}
REQUEST_ACTIONS = [a for a in Action if a not in (Action.APPROVE, Action.REJECT)]


@pytest.fixture
def people(staff, agent, outsider):
    return {"staff": staff, "agent": agent, "outsider": outsider}


@pytest.fixture
def request_in(agreement, payroll_extract, file_request, people, clock_at):
    def bring_to(status):
        clock_at(MONDAY_9AM)
        ticket = file_request(payroll_extract, title="Payroll")
        for action, who in PATHS[status]:
            ticket = services.ticket_transition(
                ticket_id=ticket.pk, by=people[who], action=action, expected_version=ticket.version
            )
        return ticket

    return bring_to


CASES = [(status, action) for status in PATHS for action in REQUEST_ACTIONS]


@pytest.mark.parametrize(("status", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_each_transition_is_allowed_exactly_as_the_table_says(request_in, people, status, action):
    ticket = request_in(status)
    allowed = TRANSITIONS.get((status, action))
    if allowed is None:
        with pytest.raises(services.StaleTicket):
            services.ticket_transition(
                ticket_id=ticket.pk,
                by=people["agent"],
                action=action,
                expected_version=ticket.version,
            )
        return
    target, role = allowed
    someone_else = people["staff" if role == Role.AGENT else "agent"]
    with pytest.raises(PermissionDenied):
        services.ticket_transition(
            ticket_id=ticket.pk, by=someone_else, action=action, expected_version=ticket.version
        )

    moved = services.ticket_transition(
        ticket_id=ticket.pk,
        by=people[PEOPLE_BY_ROLE[role]],
        action=action,
        expected_version=ticket.version,
    )

    assert moved.status == target
    event = moved.events.filter(kind=Event.Kind.TRANSITION).last()
    assert (event.from_status, event.to_status, event.actor) == (
        status,
        target,
        people[PEOPLE_BY_ROLE[role]],
    )


def test_an_outsider_can_do_nothing_to_a_request(request_in, people):
    ticket = request_in(Status.NEW)

    for action in REQUEST_ACTIONS:
        with pytest.raises((PermissionDenied, services.StaleTicket)):
            services.ticket_transition(
                ticket_id=ticket.pk,
                by=people["outsider"],
                action=action,
                expected_version=ticket.version,
            )


def test_a_stale_version_is_a_conflict_not_a_silent_overwrite(request_in, people):
    ticket = request_in(Status.NEW)
    services.ticket_transition(
        ticket_id=ticket.pk,
        by=people["agent"],
        action=Action.ACKNOWLEDGE,
        expected_version=ticket.version,
    )

    with pytest.raises(services.StaleTicket, match="changed since you opened it"):
        services.ticket_transition(
            ticket_id=ticket.pk,
            by=people["agent"],
            action=Action.START,
            expected_version=ticket.version,
        )


def test_allowed_actions_lists_what_each_role_may_do():
    assert allowed_actions(Status.RESOLVED, {Role.REQUESTER}) == [Action.CONFIRM, Action.REOPEN]
    assert allowed_actions(Status.RESOLVED, {Role.AGENT}) == []
    assert Action.CANCEL in allowed_actions(Status.NEW, {Role.REQUESTER})
    assert Action.CANCEL not in allowed_actions(Status.IN_PROGRESS, {Role.REQUESTER})


def test_the_reason_for_a_refusal_names_the_status_and_the_action():
    with pytest.raises(Exception, match="Closed"):
        next_status(Status.CLOSED, Action.REOPEN, {Role.REQUESTER})


def test_confirming_records_the_rating(request_in, people):
    ticket = request_in(Status.RESOLVED)

    ticket = services.ticket_confirm(
        ticket_id=ticket.pk,
        by=people["staff"],
        expected_version=ticket.version,
        rating=4,
        comment="Quick, thanks",
    )

    assert (ticket.status, ticket.rating, ticket.rating_comment) == (
        Status.CLOSED,
        4,
        "Quick, thanks",
    )
    assert ticket.closed_at is not None


def test_a_rating_outside_1_to_5_is_refused(request_in, people):
    from django.core.exceptions import ValidationError

    ticket = request_in(Status.RESOLVED)

    with pytest.raises(ValidationError):
        services.ticket_confirm(
            ticket_id=ticket.pk, by=people["staff"], expected_version=ticket.version, rating=6
        )
    assert Ticket.objects.get(pk=ticket.pk).status == Status.RESOLVED


def test_only_an_agent_of_the_provider_can_be_assigned(request_in, people, agent, head):
    from django.core.exceptions import ValidationError

    ticket = request_in(Status.NEW)

    with pytest.raises(ValidationError):
        services.ticket_assign(
            ticket_id=ticket.pk, by=head, assignee=people["staff"], expected_version=ticket.version
        )
    ticket = services.ticket_assign(
        ticket_id=ticket.pk, by=head, assignee=agent, expected_version=ticket.version
    )
    assert ticket.assignee == agent
