"""The breach scan flags each missed target once, and each target at risk once."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Priority
from tests.support.clock import MONDAY_9AM, at
from tests.support.concurrency import run_at_once
from tickets import services
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, ScanState, Target, TargetWarning, Ticket
from tickets.workflow import Action

SECOND = timedelta(seconds=1)


@pytest.fixture
def urgent(agreement, payroll_extract, file_request, clock_at):
    """A P1 request filed Monday 09:00: first response due 10:00 (warning at 09:45),
    resolution due 13:00... on the split shift: 09:00-12:00 then 13:30, so 14:30."""
    clock_at(MONDAY_9AM)
    return file_request(payroll_extract, title="Payroll", priority=Priority.P1)


def breaches(ticket=None):
    rows = Breach.objects.filter(ticket=ticket) if ticket else Breach.objects.all()
    return sorted(rows.values_list("target", "step"))


def test_the_due_times_of_the_example(urgent):
    assert (urgent.first_response_due_at, urgent.resolution_due_at) == (at(23, 10), at(23, 14, 30))
    assert urgent.first_response_warn_at == at(23, 9, 45)


def test_nothing_is_flagged_before_the_due_time(urgent):
    breach_scan(now=at(23, 10) - SECOND)

    assert breaches() == []


def test_a_target_is_not_breached_at_the_exact_due_time(urgent):
    breach_scan(now=at(23, 10))

    assert breaches() == []


def test_a_target_is_breached_just_after_its_due_time(urgent):
    result = breach_scan(now=at(23, 10) + SECOND)

    breach = Breach.objects.get()
    assert (breach.ticket, breach.target, breach.due_at) == (
        urgent,
        Target.FIRST_RESPONSE,
        at(23, 10),
    )
    assert breach.detected_at == at(23, 10) + SECOND
    assert result.breaches == [breach.pk]
    urgent.refresh_from_db()
    assert urgent.first_response_breached_at == at(23, 10) + SECOND


def test_a_scan_run_twice_flags_once(urgent):
    breach_scan(now=at(23, 15))
    second = breach_scan(now=at(23, 15))

    assert breaches() == [(Target.FIRST_RESPONSE, 0), (Target.RESOLUTION, 0)]
    assert second.breaches == []


def test_a_missed_scan_is_caught_up_by_the_next(urgent):
    result = breach_scan(now=at(24, 9))  # the scan was down all Monday afternoon

    assert len(result.breaches) == 2


def test_a_met_target_is_not_breached(urgent, agent, clock_at):
    clock_at(at(23, 9, 30))
    services.ticket_transition(
        ticket_id=urgent.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=urgent.version
    )

    breach_scan(now=at(23, 11))

    assert breaches() == []


def test_a_paused_request_does_not_breach_while_paused(urgent, agent, clock_at):
    clock_at(at(23, 9, 30))
    services.ticket_transition(
        ticket_id=urgent.pk, by=agent, action=Action.ASK, expected_version=urgent.version
    )

    breach_scan(now=at(24, 17))

    assert breaches() == []


def test_a_cancelled_request_stops_its_alerts(urgent, staff, clock_at):
    clock_at(at(23, 9, 30))
    services.ticket_transition(
        ticket_id=urgent.pk, by=staff, action=Action.CANCEL, expected_version=urgent.version
    )

    breach_scan(now=at(24, 17))

    assert breaches() == []
    assert not TargetWarning.objects.exists()


def test_a_reopened_request_is_not_breached_twice_for_the_same_target(
    urgent, agent, staff, clock_at
):
    breach_scan(now=at(23, 15))
    clock_at(at(23, 16))
    ticket = services.ticket_transition(
        ticket_id=urgent.pk, by=agent, action=Action.RESOLVE, expected_version=urgent.version
    )
    clock_at(at(23, 17))
    services.ticket_transition(
        ticket_id=urgent.pk, by=staff, action=Action.REOPEN, expected_version=ticket.version
    )

    breach_scan(now=at(25, 17))

    assert breaches(urgent) == [(Target.FIRST_RESPONSE, 0), (Target.RESOLUTION, 0)]


def test_a_warning_is_raised_when_the_threshold_is_reached(urgent):
    breach_scan(now=at(23, 9, 45) - SECOND)
    assert not TargetWarning.objects.exists()

    result = breach_scan(now=at(23, 9, 45))

    warning = TargetWarning.objects.get()
    assert (warning.target, warning.due_at) == (Target.FIRST_RESPONSE, at(23, 10))
    assert result.warnings == [warning.pk]
    assert breach_scan(now=at(23, 9, 50)).warnings == []


def test_an_overdue_approval_step_is_breached(agreement, purchase, staff, sales, clock_at):
    clock_at(MONDAY_9AM)
    ticket = services.ticket_file(
        requester=staff, service=purchase, customer=sales, title="Laptops"
    )
    step = ticket.approvals.get(position=1)  # an 8-hour window: due Tuesday 09:30

    breach_scan(now=at(24, 9, 30) + SECOND)

    breach = Breach.objects.get(target=Target.APPROVAL)
    assert (breach.approval, breach.step, breach.due_at) == (step, 1, at(24, 9, 30))
    assert breach_scan(now=at(24, 12)).breaches == []


def test_a_decided_approval_step_is_not_breached(agreement, purchase, staff, sales, head, clock_at):
    clock_at(MONDAY_9AM)
    ticket = services.ticket_file(
        requester=staff, service=purchase, customer=sales, title="Laptops"
    )
    services.approval_decide(approval_id=ticket.approvals.get(position=1).pk, by=head, approve=True)

    breach_scan(now=at(24, 9, 31))

    assert not Breach.objects.filter(target=Target.APPROVAL, step=1).exists()


def test_the_scan_costs_the_same_statements_for_one_or_many_requests(
    agreement, payroll_extract, file_request, clock_at
):
    clock_at(MONDAY_9AM)
    file_request(payroll_extract, title="alone")
    ContentType.objects.get_for_models(Breach, TargetWarning)  # as a running worker has cached

    with CaptureQueriesContext(connection) as for_one:
        one = breach_scan(now=at(25, 9))
    clock_at(at(25, 9))
    for number in range(20):
        file_request(payroll_extract, title=f"#{number}")
    with CaptureQueriesContext(connection) as for_twenty:
        twenty = breach_scan(now=at(30, 9))

    assert (len(one.breaches), len(twenty.breaches)) == (2, 40)
    assert len(for_one) == len(for_twenty)
    assert one.statements == twenty.statements <= 25


def test_the_scan_records_when_it_completed(urgent):
    breach_scan(now=at(23, 11))

    state = ScanState.objects.get()
    assert state.last_completed_at == at(23, 11)
    assert state.last_result["breaches"] == 1


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_flag_each_target_once(staff, sales, finance, head):
    from tests.factories import ServiceFactory, agreement_in_force

    service = ServiceFactory(provider=finance)
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P1: (timedelta(hours=1), timedelta(hours=4))},
    )
    for number in range(30):
        services.ticket_file(
            requester=staff,
            service=service,
            customer=sales,
            title=f"#{number}",
            priority=Priority.P1,
        )
    later = max(Ticket.objects.values_list("resolution_due_at", flat=True)) + timedelta(days=1)

    outcomes = run_at_once(lambda: breach_scan(now=later), lambda: breach_scan(now=later))

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(len(o.breaches) for o in outcomes) == 60
    assert Breach.objects.count() == 60
