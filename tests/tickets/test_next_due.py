"""The stored next due time (`Ticket.next_due_at`, which the queue is read by) always equals what
the queue used to compute on every read: the earliest due time of an open request's unmet
targets. Checked after every step of random sequences of what people do to a request."""

import importlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agreements.models import Priority
from tests.support.clock import MONDAY_9AM
from tickets import services
from tickets.models import Approval, Status, Ticket
from tickets.services import TicketError

# The expression the data migration fills the column with (and the queue sorted on before).
computed_next_due = importlib.import_module(
    "tickets.migrations.0009_queue_next_due_and_search"
).earliest_unmet_due

STEPS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                ("agent", "acknowledge"),
                ("agent", "start"),
                ("agent", "ask"),
                ("staff", "answer"),
                ("agent", "resolve"),
                ("staff", "confirm"),
                ("staff", "reopen"),
                ("staff", "cancel"),
                ("agent", "comment"),
                ("staff", "comment"),
                ("agent", "priority"),
                ("approver", "approve"),
            ]
        ),
        st.sampled_from(Priority.values),
        st.integers(min_value=0, max_value=50),  # hours passing before the step
    ),
    min_size=1,
    max_size=10,
)


def assert_next_due_is_the_computed_one(ticket: Ticket) -> None:
    stored, computed = (
        Ticket.objects.filter(pk=ticket.pk)
        .annotate(computed=computed_next_due())
        .values_list("next_due_at", "computed")
        .get()
    )
    assert stored == computed


def act(ticket: Ticket, who, action: str, priority: str) -> None:
    try:
        if action == "comment":
            services.ticket_comment(ticket_id=ticket.pk, by=who, text="Any news?")
        elif action == "priority":
            services.ticket_change_priority(
                ticket_id=ticket.pk, by=who, priority=priority, expected_version=None
            )
        elif action == "approve":
            current = services.current_approval(ticket)
            if current is not None:
                services.approval_decide(approval_id=current.pk, by=current.approver, approve=True)
        else:
            services.ticket_transition(
                ticket_id=ticket.pk, by=who, action=action, expected_version=None
            )
    except (TicketError, PermissionDenied, ValidationError):
        pass  # not allowed in this state: nothing changed


@pytest.mark.slow
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS, needs_approval=st.booleans())
def test_the_stored_next_due_time_follows_every_step_of_a_request(
    agreement, payroll_extract, purchase, file_request, clock_at, staff, agent, steps,
    needs_approval,
):  # fmt: skip
    now = MONDAY_9AM
    clock_at(now)
    ticket = file_request(purchase if needs_approval else payroll_extract)
    assert_next_due_is_the_computed_one(ticket)
    people = {"agent": agent, "staff": staff, "approver": None}
    for (who, action), priority, hours in steps:
        now += timedelta(hours=hours)
        clock_at(now)
        act(ticket, people[who], action, priority)
        assert_next_due_is_the_computed_one(ticket)


def test_a_request_over_has_no_next_due_time(agreement, payroll_extract, file_request, staff):
    ticket = file_request(payroll_extract)
    assert ticket.next_due_at == ticket.first_response_due_at

    services.ticket_transition(
        ticket_id=ticket.pk, by=staff, action="cancel", expected_version=None
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED
    assert ticket.next_due_at is None


def test_a_paused_request_has_no_next_due_time_until_it_resumes(
    agreement, payroll_extract, file_request, staff, agent
):
    ticket = file_request(payroll_extract)
    services.ticket_transition(ticket_id=ticket.pk, by=agent, action="ask", expected_version=None)
    ticket.refresh_from_db()
    # Asking is a first response: only the resolution target is left, and it is paused.
    assert (ticket.status, ticket.next_due_at) == (Status.WAITING, None)

    services.ticket_comment(ticket_id=ticket.pk, by=staff, text="Here it is.")

    ticket.refresh_from_db()
    assert ticket.next_due_at == ticket.resolution_due_at is not None


def test_a_request_waiting_for_approval_is_due_by_its_first_response(
    agreement, purchase, file_request, head
):
    ticket = file_request(purchase)
    assert ticket.next_due_at == ticket.first_response_due_at
    assert ticket.resolution_due_at is None

    Approval.objects.filter(ticket=ticket, position=2).delete()
    services.approval_decide(approval_id=ticket.approvals.get(position=1).pk, by=head, approve=True)

    ticket.refresh_from_db()
    assert ticket.resolution_due_at is not None
    expected = min(ticket.first_response_due_at, ticket.resolution_due_at)
    assert ticket.next_due_at == expected


def test_saving_some_fields_keeps_the_next_due_time(agreement, payroll_extract, file_request):
    ticket = file_request(payroll_extract)
    ticket.status = Status.CLOSED

    ticket.save(update_fields=["status"])

    ticket.refresh_from_db()
    assert ticket.next_due_at is None
