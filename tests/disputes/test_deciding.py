"""Who disputes a breach and who decides it (PRODUCT.md, rule 9), through disputes.services,
with time frozen (tests/support/disputes.py): the customer's head within the agreement's window,
then the nearest head above both departments; nobody decides their own dispute."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from departments.models import Membership
from disputes import services
from disputes.models import Dispute, DisputeStep, Reason
from disputes.services import DisputeError, StaleDispute
from outbox.models import Message
from tests.factories import DepartmentFactory, MembershipFactory, UserFactory
from tests.support.clock import at
from tickets.models import Breach, Event, Target, Ticket

Action = DisputeStep.Action


def open_dispute(breach, by, reason=Reason.CUSTOMER, text="We waited on their data."):
    return services.dispute_open(breach_id=breach.pk, by=by, reason=reason, text=text)


def decide(dispute, by, waive, comment="Looked into it."):
    return services.dispute_decide(dispute_id=dispute.pk, by=by, waive=waive, comment=comment)


def asked(kind):
    return sorted(Message.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_the_providers_head_disputes_a_breach_and_the_customers_head_is_asked(
    breach, head, sales_head
):
    dispute = open_dispute(breach, head)

    assert dispute.stage == Dispute.Stage.CUSTOMER
    assert dispute.decider == sales_head
    assert [step.action for step in dispute.steps.all()] == [Action.OPENED]
    assert asked("disputes.to_decide") == ["sales_head"]
    assert Event.objects.filter(ticket=breach.ticket, kind=Event.Kind.DISPUTE).count() == 1


def test_the_customers_window_is_working_time_on_the_providers_calendar(breach, head):
    dispute = open_dispute(breach, head)

    # 16 working hours from Monday 10:01: 6 h 29 min on Monday, 7.5 h on Tuesday, then 2 h 1 min
    # on Wednesday from 09:00.
    assert dispute.due_at == at(25, 11, 1)


def test_an_agent_of_the_provider_may_not_dispute_a_breach(breach, agent):
    with pytest.raises(PermissionDenied):
        open_dispute(breach, agent)


def test_the_customers_head_may_not_dispute_the_providers_breach(breach, sales_head):
    with pytest.raises(PermissionDenied):
        open_dispute(breach, sales_head)


def test_the_acting_head_of_a_provider_without_a_head_may_dispute(breach, head, ceo):
    Membership.objects.filter(user=head).delete()

    dispute = open_dispute(breach, ceo)

    assert dispute.opened_by == ceo


def test_a_breach_is_disputed_once(breach, head):
    open_dispute(breach, head)

    with pytest.raises(StaleDispute):
        open_dispute(breach, head)


def test_a_dispute_needs_a_reason_and_an_explanation(breach, head):
    with pytest.raises(ValidationError) as refused:
        open_dispute(breach, head, reason="bribery", text="  ")

    assert set(refused.value.message_dict) == {"reason", "text"}


def test_an_approval_steps_breach_is_not_the_providers_to_dispute(breach, head):
    approval_breach = Breach.objects.create(
        ticket=breach.ticket,
        target=Target.APPROVAL,
        step=1,
        due_at=at(23, 9),
        detected_at=at(23, 10),
    )

    with pytest.raises(DisputeError):
        open_dispute(approval_breach, head)


def test_accepted_by_the_customers_head_the_breach_is_waived_and_stays_on_record(
    breach, head, sales_head, clock_at
):
    dispute = open_dispute(breach, head)
    clock_at(at(24, 9))

    decide(dispute, sales_head, waive=True, comment="Fair: we sent the data late.")

    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.WAIVED and not dispute.is_open
    assert Ticket.objects.get(pk=breach.ticket_id).first_response_waived_at == at(24, 9)
    assert Breach.objects.filter(pk=breach.pk).exists()
    assert [s.action for s in dispute.steps.all()] == [Action.OPENED, Action.ACCEPTED]
    assert asked("disputes.moved_on") == ["head"]


def test_rejected_by_the_customers_head_it_goes_to_the_nearest_common_superior(
    breach, head, sales_head, ceo
):
    dispute = open_dispute(breach, head)

    decide(dispute, sales_head, waive=False, comment="You had everything.")

    dispute.refresh_from_db()
    assert dispute.stage == Dispute.Stage.SUPERIOR
    assert dispute.decider == ceo
    assert asked("disputes.to_decide") == ["ceo", "sales_head"]
    assert not Ticket.objects.get(pk=breach.ticket_id).first_response_waived_at


def test_the_common_superior_decides_for_good(breach, head, sales_head, ceo):
    dispute = open_dispute(breach, head)
    decide(dispute, sales_head, waive=False)

    decide(dispute, ceo, waive=False, comment="The breach stands.")

    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.UPHELD
    assert [s.action for s in dispute.steps.all()] == [
        Action.OPENED,
        Action.REJECTED,
        Action.UPHELD,
    ]
    assert not Ticket.objects.get(pk=breach.ticket_id).first_response_waived_at
    with pytest.raises(StaleDispute):
        decide(dispute, ceo, waive=True)


def test_only_the_person_asked_decides(breach, head, sales_head, ceo, agent):
    dispute = open_dispute(breach, head)

    for someone in (head, ceo, agent):
        with pytest.raises(PermissionDenied):
            decide(dispute, someone, waive=True)


def test_a_decision_on_a_dispute_that_moved_on_is_refused_as_stale(breach, head, sales_head):
    dispute = open_dispute(breach, head)
    version = dispute.version
    decide(dispute, sales_head, waive=False)

    with pytest.raises(StaleDispute):
        services.dispute_decide(
            dispute_id=dispute.pk,
            by=sales_head,
            waive=True,
            comment="Changed my mind.",
            expected_version=version,
        )


def test_a_window_that_passes_undecided_sends_the_dispute_up_once(breach, head, ceo):
    dispute = open_dispute(breach, head)

    assert services.disputes_send_up_lapsed(now=at(25, 11, 0)) == 0
    assert services.disputes_send_up_lapsed(now=at(25, 11, 1)) == 1
    assert services.disputes_send_up_lapsed(now=at(25, 11, 1)) == 0

    dispute.refresh_from_db()
    assert dispute.stage == Dispute.Stage.SUPERIOR and dispute.decider == ceo
    lapsed = dispute.steps.get(action=Action.LAPSED)
    assert lapsed.actor is None


def test_the_customers_head_who_let_the_window_pass_cannot_decide_afterwards(
    breach, head, sales_head
):
    dispute = open_dispute(breach, head)
    services.disputes_send_up_lapsed(now=at(25, 12))

    with pytest.raises(StaleDispute, match="it went up to Wei Zhang"):
        decide(dispute, sales_head, waive=True)


def test_a_stale_decision_after_the_window_passed_says_that_it_went_up(breach, head, sales_head):
    dispute = open_dispute(breach, head)
    version = dispute.version
    services.disputes_send_up_lapsed(now=at(25, 12))

    with pytest.raises(StaleDispute, match="no longer yours to decide"):
        services.dispute_decide(
            dispute_id=dispute.pk,
            by=sales_head,
            waive=True,
            comment="Fair.",
            expected_version=version,
        )


def test_a_customer_without_a_head_is_decided_for_by_the_head_above_who_never_decides_twice(
    breach, head, sales_head, ceo, admin_user
):
    Membership.objects.filter(user=sales_head).delete()
    dispute = open_dispute(breach, head)
    assert dispute.decider == ceo  # acting head of Sales

    decide(dispute, ceo, waive=False)

    dispute.refresh_from_db()
    # The common superior is the Executive Office, whose head already decided: an administrator.
    assert dispute.stage == Dispute.Stage.SUPERIOR and dispute.decider is None
    assert asked("disputes.to_decide") == ["admin", "ceo"]
    with pytest.raises(PermissionDenied):
        decide(dispute, ceo, waive=True)
    decide(dispute, admin_user, waive=True)
    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.WAIVED


def test_a_head_of_both_a_party_and_the_common_superior_is_skipped_for_the_head_above(
    breach, head, sales_head, ceo, company
):
    group = DepartmentFactory(code="GROUP", name="Group")
    company.parent = group
    company.save()
    chair = UserFactory(username="chair")
    MembershipFactory(user=chair, department=group, role=Membership.Role.HEAD)
    # The provider's head also heads the Executive Office, above both departments.
    Membership.objects.filter(user=ceo).delete()
    MembershipFactory(user=head, department=company, role=Membership.Role.HEAD)
    dispute = open_dispute(breach, head)

    decide(dispute, sales_head, waive=False)

    dispute.refresh_from_db()
    assert dispute.decider == chair


def test_an_administrator_who_is_a_party_does_not_decide(breach, head, sales_head, ceo):
    head.is_superuser = True
    head.save()
    Membership.objects.filter(user=ceo).delete()
    dispute = open_dispute(breach, head)
    decide(dispute, sales_head, waive=False)
    dispute.refresh_from_db()
    assert dispute.decider is None

    with pytest.raises(PermissionDenied):
        decide(dispute, head, waive=True)
