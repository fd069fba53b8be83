"""A target met late before the breach scan saw it is recorded as breached when it is met, as the
scan's own row, once whoever gets there first, and without an alert for a target already met:
so that it can be disputed (PRODUCT.md, rules 5 and 9).

The example of test_breach_scan: a P1 request filed Monday 09:00, first response due 10:00,
resolution due 14:30."""

import pytest
from django.urls import reverse

from agreements.models import Priority
from disputes import services as disputes
from disputes.models import Reason
from outbox.models import Message
from tests.support.clock import MONDAY_9AM, at
from tests.support.concurrency import run_at_once
from tickets import letters, services
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.escalation import escalate_breaches
from tickets.models import Breach, Escalation, Target, Ticket
from tickets.workflow import Action


@pytest.fixture
def urgent(agreement, payroll_extract, file_request, clock_at):
    clock_at(MONDAY_9AM)
    return file_request(payroll_extract, title="Payroll", priority=Priority.P1)


def act(ticket, by, action):
    ticket.refresh_from_db()
    return services.ticket_transition(
        ticket_id=ticket.pk, by=by, action=action, expected_version=ticket.version
    )


def breaches(ticket):
    return sorted(
        Breach.objects.filter(ticket=ticket).values_list("target", "due_at", "detected_at")
    )


def test_a_first_response_after_its_due_time_records_its_breach_at_once(urgent, agent, clock_at):
    late = at(23, 10).replace(second=30)
    clock_at(late)

    act(urgent, agent, Action.ACKNOWLEDGE)

    breach = Breach.objects.get(ticket=urgent)
    assert (breach.target, breach.step, breach.approval) == (Target.FIRST_RESPONSE, 0, None)
    assert (breach.due_at, breach.detected_at) == (at(23, 10), late)
    assert breach.agreement_id == urgent.agreement_id
    assert Ticket.objects.get(pk=urgent.pk).first_response_breached_at == late


def test_a_target_met_at_its_exact_due_time_records_nothing(urgent, agent, clock_at):
    clock_at(at(23, 10))

    act(urgent, agent, Action.ACKNOWLEDGE)

    assert breaches(urgent) == []


def test_a_first_comment_after_its_due_time_records_the_breach(urgent, agent, clock_at):
    clock_at(at(23, 11))

    services.ticket_comment(ticket_id=urgent.pk, by=agent, text="On it.")

    assert breaches(urgent) == [(Target.FIRST_RESPONSE, at(23, 10), at(23, 11))]


def test_a_late_resolution_records_its_breach(urgent, agent, clock_at):
    clock_at(at(23, 9, 30))
    act(urgent, agent, Action.ACKNOWLEDGE)
    clock_at(at(23, 15))

    act(urgent, agent, Action.RESOLVE)

    assert breaches(urgent) == [(Target.RESOLUTION, at(23, 14, 30), at(23, 15))]


def test_nobody_is_alerted_and_nothing_escalates_for_a_target_already_met(urgent, agent, clock_at):
    clock_at(at(23, 11))
    act(urgent, agent, Action.ACKNOWLEDGE)

    scan = breach_scan(now=at(23, 11, 1))
    escalate_breaches(now=at(25, 9))

    assert scan.breaches == [] and scan.notifications == []
    assert not Message.objects.filter(kind=letters.BREACH).exists()
    assert not Escalation.objects.exists()
    assert len(breaches(urgent)) == 1


def test_a_breach_the_scan_recorded_first_is_not_recorded_again(urgent, agent, clock_at):
    breach_scan(now=at(23, 10, 1))
    clock_at(at(23, 11))

    act(urgent, agent, Action.ACKNOWLEDGE)

    assert breaches(urgent) == [(Target.FIRST_RESPONSE, at(23, 10), at(23, 10, 1))]
    assert Ticket.objects.get(pk=urgent.pk).first_response_breached_at == at(23, 10, 1)


def test_a_reopened_request_resolved_late_the_second_time_records_its_breach_then(
    urgent, agent, staff, clock_at
):
    clock_at(at(23, 9, 30))
    act(urgent, agent, Action.RESOLVE)  # first response and resolution, both in time
    clock_at(at(23, 9, 40))
    act(urgent, staff, Action.REOPEN)
    clock_at(at(24, 10))

    act(urgent, agent, Action.RESOLVE)

    assert [row[0] for row in breaches(urgent)] == [Target.RESOLUTION]


def test_the_providers_head_disputes_a_breach_recorded_when_met(
    client, urgent, agent, head, clock_at
):
    clock_at(at(23, 11))
    act(urgent, agent, Action.ACKNOWLEDGE)
    breach = Breach.objects.get(ticket=urgent)
    client.force_login(head)

    assert reverse("disputes:open", args=[breach.pk]) in client.get(urgent.get_absolute_url()).text
    dispute = disputes.dispute_open(
        breach_id=breach.pk, by=head, reason=Reason.CUSTOMER, text="They sent nothing."
    )
    assert dispute.breach == breach


@pytest.mark.django_db(transaction=True)
def test_a_scan_at_the_same_moment_as_the_late_response_never_makes_a_second_row(
    agreement, payroll_extract, file_request, agent, clock_at
):
    clock_at(MONDAY_9AM)
    tickets = [file_request(payroll_extract, title=f"#{n}", priority=Priority.P1) for n in range(8)]
    clock_at(at(23, 10, 30))

    outcomes = run_at_once(
        lambda: breach_scan(now=at(23, 10, 30)),
        *[
            lambda ticket=ticket: services.ticket_comment(
                ticket_id=ticket.pk, by=agent, text="On it."
            )
            for ticket in tickets
        ],
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    for ticket in tickets:
        assert [row[0] for row in breaches(ticket)] == [Target.FIRST_RESPONSE]
        assert Ticket.objects.get(pk=ticket.pk).first_response_breached_at is not None
