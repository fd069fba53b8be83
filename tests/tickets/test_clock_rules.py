"""The rules of the clock (PRODUCT.md), on hand-computed examples with frozen time."""

from datetime import timedelta

import pytest

from agreements.models import Priority
from tests.support.clock import MONDAY_9AM, at
from tickets import services
from tickets.models import Pause, Status
from tickets.workflow import Action


@pytest.fixture
def filed(agreement, payroll_extract, file_request, clock_at):
    def file(priority=Priority.P2, when=MONDAY_9AM):
        clock_at(when)
        return file_request(payroll_extract, priority=priority)

    return file


def act(ticket, by, action, when, clock_at, **kwargs):
    clock_at(when)
    ticket.refresh_from_db()
    return services.ticket_transition(
        ticket_id=ticket.pk, by=by, action=action, expected_version=ticket.version, **kwargs
    )


def test_filing_pins_the_agreement_and_sets_due_times_in_working_time(filed, agreement):
    ticket = filed()

    assert ticket.agreement == agreement
    assert ticket.first_response_due_at == at(23, 14, 30)  # 3 h before lunch, 1 h after
    assert ticket.resolution_due_at == at(24, 9, 30)  # 7.5 h on Monday, 0.5 h on Tuesday


def test_a_request_filed_after_hours_starts_counting_at_the_next_opening(filed):
    ticket = filed(priority=Priority.P1, when=at(23, 20))

    assert ticket.first_response_due_at == at(24, 10)


def test_a_service_without_agreement_has_no_clock(sales, staff, finance, clock_at):
    from tests.factories import ServiceFactory

    clock_at(MONDAY_9AM)
    ticket = services.ticket_file(
        requester=staff, service=ServiceFactory(provider=finance), customer=sales, title="Anything"
    )

    assert ticket.agreement is None
    assert ticket.first_response_due_at is None
    assert ticket.resolution_due_at is None


def test_acknowledging_is_the_first_response(filed, agent, clock_at):
    ticket = act(filed(), agent, Action.ACKNOWLEDGE, at(23, 10), clock_at)

    assert ticket.first_responded_at == at(23, 10)
    assert ticket.first_response_met is True


def test_an_internal_note_is_not_a_first_response_but_a_public_comment_is(filed, agent, clock_at):
    ticket = filed()
    clock_at(at(23, 10))
    services.ticket_comment(
        ticket_id=ticket.pk, by=agent, text="Checking the ledger", internal=True
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None

    clock_at(at(23, 11))
    services.ticket_comment(ticket_id=ticket.pk, by=agent, text="We are on it")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == at(23, 11)


def test_waiting_on_the_requester_stops_the_clock_and_answering_moves_the_due_time(
    filed, agent, staff, clock_at
):
    ticket = act(filed(), agent, Action.ASK, at(23, 10), clock_at, comment="Which entity?")
    assert ticket.status == Status.WAITING
    assert ticket.resolution_due_at is None  # nothing can breach while the clock is stopped

    clock_at(at(23, 15))
    services.ticket_comment(ticket_id=ticket.pk, by=staff, text="Shanghai entity")

    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    # 1 h ran before the question; 7 h remain from Monday 15:00: 3 h Monday, 3 h Tuesday
    # morning, 1 h after lunch.
    assert ticket.resolution_due_at == at(24, 14, 30)
    pause = ticket.pauses.get()
    assert (pause.started_at, pause.ended_at, pause.reason) == (
        at(23, 10),
        at(23, 15),
        Pause.Reason.WAITING,
    )


def test_a_pause_after_the_due_time_does_not_move_it(filed, agent, staff, clock_at):
    ticket = filed(priority=Priority.P1)  # resolution due Monday 14:30
    ticket = act(ticket, agent, Action.ASK, at(23, 16), clock_at)
    ticket = act(ticket, staff, Action.ANSWER, at(23, 17), clock_at)

    assert ticket.resolution_due_at == at(23, 14, 30)


def test_a_priority_change_recomputes_as_if_it_applied_since_filing(filed, agent, clock_at):
    ticket = filed(priority=Priority.P3)
    clock_at(at(23, 10))

    ticket = services.ticket_change_priority(
        ticket_id=ticket.pk, by=agent, priority=Priority.P1, expected_version=ticket.version
    )

    assert ticket.first_response_due_at == at(23, 10)
    assert ticket.resolution_due_at == at(23, 14, 30)


def test_a_priority_change_keeps_the_paused_time(filed, agent, staff, clock_at):
    ticket = act(filed(priority=Priority.P3), agent, Action.ASK, at(23, 10), clock_at)
    ticket = act(ticket, staff, Action.ANSWER, at(23, 15), clock_at)
    clock_at(at(23, 16))

    ticket = services.ticket_change_priority(
        ticket_id=ticket.pk, by=agent, priority=Priority.P1, expected_version=ticket.version
    )

    # 4 h of P1: 1 h before the question, then 3 h from Monday 15:00.
    assert ticket.resolution_due_at == at(23, 18)


def test_a_met_first_response_keeps_its_due_time_through_a_priority_change(filed, agent, clock_at):
    ticket = act(filed(priority=Priority.P3), agent, Action.ACKNOWLEDGE, at(23, 10), clock_at)
    due = ticket.first_response_due_at

    ticket = services.ticket_change_priority(
        ticket_id=ticket.pk, by=agent, priority=Priority.P1, expected_version=ticket.version
    )

    assert ticket.first_response_due_at == due


def test_reopening_resumes_the_resolution_clock_where_it_stood(filed, agent, staff, clock_at):
    ticket = filed(priority=Priority.P1)  # 4 h to resolve
    ticket = act(ticket, agent, Action.RESOLVE, at(23, 11), clock_at)  # 2 h used
    assert ticket.resolved_at == at(23, 11)

    ticket = act(ticket, staff, Action.REOPEN, at(24, 9), clock_at)

    assert ticket.resolved_at is None
    assert ticket.resolution_due_at == at(24, 11)  # the 2 h left, from Tuesday's opening


def test_a_target_met_at_the_exact_due_time_is_met(filed, agent, clock_at):
    ticket = filed(priority=Priority.P1)

    ticket = act(ticket, agent, Action.RESOLVE, ticket.resolution_due_at, clock_at)

    assert ticket.resolution_met is True


def test_a_target_met_a_second_late_is_breached(filed, agent, clock_at):
    ticket = filed(priority=Priority.P1)

    ticket = act(
        ticket, agent, Action.RESOLVE, ticket.resolution_due_at + timedelta(seconds=1), clock_at
    )

    assert ticket.resolution_met is False


def test_resolving_while_waiting_closes_the_pause_and_keeps_a_due_time(filed, agent, clock_at):
    ticket = act(filed(), agent, Action.ASK, at(23, 10), clock_at)

    ticket = act(ticket, agent, Action.RESOLVE, at(23, 11), clock_at)

    assert ticket.resolution_due_at is not None
    assert ticket.resolution_met is True
    assert ticket.paused_at is None


def test_the_pinned_agreement_version_survives_a_new_version(
    filed, agreement, head, sales, clock_at
):
    from agreements import services as agreement_services

    ticket = filed()
    clock_at(at(23, 10))
    draft = agreement_services.agreement_start_new_version(agreement_id=agreement.pk, by=head)

    ticket.refresh_from_db()
    assert ticket.agreement == agreement
    assert draft.version == 2
