"""Ordered approval steps, each with its own window; delegation; the resolution clock."""

from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from departments.models import Delegation
from tests.factories import UserFactory
from tests.support.clock import MONDAY_9AM, SHANGHAI, at
from tickets import services
from tickets.approval_links import InvalidApprovalLink, approval_from_token, approval_link_token
from tickets.models import Status


@pytest.fixture
def purchase_request(agreement, purchase, staff, sales, clock_at):
    clock_at(MONDAY_9AM)
    return services.ticket_file(
        requester=staff, service=purchase, customer=sales, title="Laptop x5"
    )


def decide(ticket, position, by, approve=True, comment="", when=None, clock_at=None):
    if when:
        clock_at(when)
    approval = ticket.approvals.get(position=position)
    return services.approval_decide(
        approval_id=approval.pk, by=by, approve=approve, comment=comment
    )


def test_filing_opens_the_chain_with_the_first_step_current_and_due(purchase_request, head):
    first, second = purchase_request.approvals.all()

    assert purchase_request.status == Status.APPROVAL_PENDING
    assert (first.approver, first.current_since) == (head, MONDAY_9AM)
    assert first.due_at == at(24, 9, 30)  # an 8-hour window: 7.5 h Monday, 0.5 h Tuesday
    assert second.current_since is None and second.due_at is None


def test_the_resolution_clock_waits_for_the_last_approval(purchase_request):
    assert purchase_request.resolution_started_at is None
    assert purchase_request.resolution_due_at is None
    assert purchase_request.first_response_due_at == at(24, 9, 30)  # P3: 8 h from filing


def test_approving_a_step_makes_the_next_one_current_with_its_own_window(
    purchase_request, head, cfo, clock_at
):
    decide(purchase_request, 1, head, when=at(23, 11), clock_at=clock_at)

    second = purchase_request.approvals.get(position=2)
    assert (second.approver, second.current_since) == (cfo, at(23, 11))
    assert second.due_at == at(25, 12)  # 16 h: 5.5 h Mon, 7.5 h Tue, 3 h Wed


def test_the_last_approval_starts_the_resolution_clock(purchase_request, head, cfo, clock_at):
    decide(purchase_request, 1, head, when=at(23, 11), clock_at=clock_at)
    ticket = decide(purchase_request, 2, cfo, when=at(24, 9), clock_at=clock_at)

    assert ticket.status == Status.APPROVED
    assert ticket.resolution_started_at == at(24, 9)
    # P3 resolves in 40 h: 7.5 h a day Tuesday to the next Monday is 37.5 h, then 2.5 h.
    assert ticket.resolution_due_at == datetime(2026, 12, 1, 11, 30, tzinfo=SHANGHAI)


def test_a_rejection_ends_the_request_with_the_reason(purchase_request, head, clock_at):
    with pytest.raises(ValidationError):
        decide(purchase_request, 1, head, approve=False, comment="")

    ticket = decide(purchase_request, 1, head, approve=False, comment="Over budget")

    assert ticket.status == Status.REJECTED
    assert ticket.closed_at is not None
    assert purchase_request.approvals.get(position=1).comment == "Over budget"


def test_only_the_current_step_can_be_decided(purchase_request, cfo):
    with pytest.raises(services.StaleTicket, match="not the current one"):
        decide(purchase_request, 2, cfo)


def test_someone_else_cannot_decide(purchase_request, agent, staff):
    for person in (agent, staff):
        with pytest.raises(PermissionDenied):
            decide(purchase_request, 1, person)


def test_a_step_decided_once_cannot_be_decided_again(purchase_request, head):
    decide(purchase_request, 1, head)

    with pytest.raises(services.StaleTicket, match="already decided"):
        decide(purchase_request, 1, head)


def test_a_delegate_decides_while_the_approver_is_away(purchase_request, head, clock_at):
    deputy = UserFactory(username="deputy")
    Delegation.objects.create(
        person=head, delegate=deputy, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27)
    )

    ticket = decide(purchase_request, 1, deputy)

    assert purchase_request.approvals.get(position=1).decided_by == deputy
    assert ticket.status == Status.APPROVAL_PENDING


def test_a_delegation_outside_its_dates_gives_no_right(purchase_request, head):
    deputy = UserFactory(username="deputy")
    Delegation.objects.create(
        person=head, delegate=deputy, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 5)
    )

    with pytest.raises(PermissionDenied):
        decide(purchase_request, 1, deputy)


def test_the_requester_can_cancel_while_approval_is_pending(purchase_request, staff):
    from tickets.workflow import Action

    ticket = services.ticket_transition(
        ticket_id=purchase_request.pk,
        by=staff,
        action=Action.CANCEL,
        expected_version=purchase_request.version,
    )

    assert ticket.status == Status.CANCELLED


def test_an_approval_link_names_its_undecided_step(purchase_request):
    approval = purchase_request.approvals.get(position=1)

    assert approval_from_token(approval_link_token(approval)) == approval


def test_an_approval_link_stops_working_once_the_step_is_decided(purchase_request, head):
    token = approval_link_token(purchase_request.approvals.get(position=1))
    decide(purchase_request, 1, head)

    with pytest.raises(InvalidApprovalLink, match="used"):
        approval_from_token(token)


def test_an_approval_link_expires_after_a_week(purchase_request, clock_at):
    token = approval_link_token(purchase_request.approvals.get(position=1))
    clock_at(at(30, 9, 1))

    with pytest.raises(InvalidApprovalLink, match="expired"):
        approval_from_token(token)


def test_a_tampered_approval_link_is_invalid(purchase_request):
    token = approval_link_token(purchase_request.approvals.get(position=1))

    with pytest.raises(InvalidApprovalLink, match="invalid"):
        approval_from_token(token[:-2] + "xx")


def test_a_chain_naming_the_head_of_a_department_without_head_refuses_to_file(
    agreement, purchase, staff, sales, company, clock_at
):
    from agreements.models import ApprovalStep
    from tests.factories import DepartmentFactory

    headless = DepartmentFactory(code="OPS", parent=company)
    ApprovalStep.objects.filter(service=purchase, position=1).update(department=headless)

    with pytest.raises(services.TicketError, match="which has none"):
        services.ticket_file(requester=staff, service=purchase, customer=sales, title="Laptop")
