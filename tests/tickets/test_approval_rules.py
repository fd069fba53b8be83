"""Approval rules: steps that apply only when a condition on the form answers holds, and parallel
groups decided by all of or any of their approvers, each approver on their own window."""

import pytest
from django.utils import translation

from agreements.models import ApprovalStep, ApprovalWindow, GroupRule
from tests.factories import UserFactory
from tests.support.clock import HOUR, MONDAY_9AM, at
from tickets import services
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Approval, Breach, Event, Status, Target
from tickets.workflow import Role

PURCHASE_FORM = [
    {"name": "amount", "label": "Amount", "type": "number", "required": True},
    {"name": "category", "label": "Category", "type": "choice",
     "choices": ["Hardware", "Software", "Services"], "required": True},
]  # fmt: skip


@pytest.fixture
def controller(db):
    return UserFactory(username="controller", first_name="Mei", last_name="Zhao")


@pytest.fixture
def purchase_rules(purchase, agreement):
    """Purchases: the head of Finance always, the CFO only over 10,000."""
    purchase.form_fields = PURCHASE_FORM
    purchase.save()
    ApprovalStep.objects.filter(service=purchase, position=2).update(
        condition_field="amount", condition_operator="gt", condition_value="10000"
    )
    return purchase


@pytest.fixture
def parallel(purchase, agreement, controller):
    """After the head of Finance: the CFO and the controller at once, as a group."""
    purchase.form_fields = PURCHASE_FORM
    purchase.save()
    ApprovalStep.objects.create(
        service=purchase,
        position=3,
        approver=ApprovalStep.Approver.PERSON,
        person=controller,
        with_previous=True,
    )
    ApprovalWindow.objects.create(agreement=agreement, position=3, window=4 * HOUR)

    def chain(rule: str):
        ApprovalStep.objects.filter(service=purchase, position__in=[2, 3]).update(group_rule=rule)
        return purchase

    return chain


def file(service, staff, sales, amount="20000", category="Hardware"):
    return services.ticket_file(
        requester=staff,
        service=service,
        customer=sales,
        title="Laptops",
        answers={"amount": amount, "category": category},
    )


def decide(ticket, position, by, approve=True, comment=""):
    approval = ticket.approvals.get(position=position)
    reason = comment or ("" if approve else "No")
    return services.approval_decide(approval_id=approval.pk, by=by, approve=approve, comment=reason)


def test_a_step_whose_condition_holds_is_asked(purchase_rules, staff, sales):
    ticket = file(purchase_rules, staff, sales, amount="10000.01")

    assert list(ticket.approvals.values_list("position", flat=True)) == [1, 2]


def test_a_step_whose_condition_is_false_is_skipped_on_the_timeline(purchase_rules, staff, sales):
    ticket = file(purchase_rules, staff, sales, amount="10000")

    assert list(ticket.approvals.values_list("position", flat=True)) == [1]
    skipped = ticket.events.get(kind=Event.Kind.SKIPPED)
    assert (skipped.actor, skipped.at) == (None, MONDAY_9AM)
    assert skipped.text == "Step 2 (Jun Qian): Amount ≤ 10,000"


def test_the_timeline_says_skipped_in_chinese_for_a_chinese_requester(purchase_rules, staff, sales):
    with translation.override("zh-hans"):
        ticket = file(purchase_rules, staff, sales, amount="500")

    assert ticket.events.get(kind=Event.Kind.SKIPPED).text == "第 2 步（Jun Qian）：Amount ≤ 10000"


def test_the_last_applying_approval_starts_the_resolution_clock_when_later_steps_skip(
    purchase_rules, staff, sales, head, clock_at
):
    ticket = file(purchase_rules, staff, sales, amount="800")
    clock_at(at(23, 11))

    ticket = decide(ticket, 1, head)

    assert ticket.status == Status.APPROVED
    assert ticket.resolution_started_at == at(23, 11)


def test_a_request_whose_every_step_is_skipped_needs_no_approval(purchase_rules, staff, sales):
    ApprovalStep.objects.filter(service=purchase_rules, position=1).update(
        condition_field="category", condition_operator="eq", condition_value="Software"
    )

    ticket = file(purchase_rules, staff, sales, amount="800", category="Hardware")

    assert ticket.status == Status.NEW
    assert not ticket.approvals.exists()
    assert ticket.resolution_started_at == MONDAY_9AM
    assert ticket.events.filter(kind=Event.Kind.SKIPPED).count() == 2


def test_when_the_first_step_is_skipped_the_next_is_current_with_its_own_window(
    purchase_rules, staff, sales, cfo
):
    ApprovalStep.objects.filter(service=purchase_rules, position=1).update(
        condition_field="category", condition_operator="in", condition_value="Software, Services"
    )

    ticket = file(purchase_rules, staff, sales, amount="20000", category="Hardware")

    (only,) = ticket.approvals.all()
    assert (only.position, only.approver, only.current_since) == (2, cfo, MONDAY_9AM)
    assert only.due_at == at(25, 10)  # its 16-hour window: 7.5 h Mon, 7.5 h Tue, 1 h Wed


def test_a_group_becomes_current_at_once_each_approver_on_their_own_window(
    parallel, staff, sales, head, cfo, controller, clock_at
):
    ticket = file(parallel(GroupRule.ANY), staff, sales)
    clock_at(at(23, 11))

    decide(ticket, 1, head)

    cfo_step, controller_step = ticket.approvals.filter(stage=2).order_by("position")
    assert (cfo_step.current_since, controller_step.current_since) == (at(23, 11), at(23, 11))
    assert cfo_step.due_at == at(25, 12)  # 16 h
    assert controller_step.due_at == at(23, 16, 30)  # 4 h: 1 h before noon, 3 h after 13:30
    assert {cfo_step.group_rule, controller_step.group_rule} == {GroupRule.ANY}


def test_in_an_any_of_group_the_first_approval_satisfies_it_and_closes_the_others(
    parallel, staff, sales, head, cfo, clock_at
):
    ticket = file(parallel(GroupRule.ANY), staff, sales)
    decide(ticket, 1, head)
    clock_at(at(23, 14))

    ticket = decide(ticket, 2, cfo)

    assert ticket.status == Status.APPROVED
    closed = ticket.approvals.get(position=3)
    assert (closed.decision, closed.decided_by, closed.decided_at) == (
        Approval.Decision.CLOSED,
        None,
        at(23, 14),
    )
    event = ticket.events.get(kind=Event.Kind.CLOSED)
    assert event.text == "Step 3 (Mei Zhao): another approver of the group approved"


def test_a_closed_step_can_no_longer_be_decided(parallel, staff, sales, head, cfo, controller):
    ticket = file(parallel(GroupRule.ANY), staff, sales)
    decide(ticket, 1, head)
    decide(ticket, 2, cfo)

    with pytest.raises(services.StaleTicket, match="no longer needed"):
        decide(ticket, 3, controller)


def test_in_an_any_of_group_one_rejection_waits_for_the_others(
    parallel, staff, sales, head, cfo, controller
):
    ticket = file(parallel(GroupRule.ANY), staff, sales)
    decide(ticket, 1, head)

    ticket = decide(ticket, 2, cfo, approve=False)
    assert ticket.status == Status.APPROVAL_PENDING

    ticket = decide(ticket, 3, controller)
    assert ticket.status == Status.APPROVED


def test_an_any_of_group_rejected_by_all_rejects_the_request(
    parallel, staff, sales, head, cfo, controller
):
    ticket = file(parallel(GroupRule.ANY), staff, sales)
    decide(ticket, 1, head)
    decide(ticket, 2, cfo, approve=False)

    ticket = decide(ticket, 3, controller, approve=False, comment="Not this year")

    assert ticket.status == Status.REJECTED


def test_an_all_of_group_waits_for_every_approval(parallel, staff, sales, head, cfo, controller):
    ticket = file(parallel(GroupRule.ALL), staff, sales)
    decide(ticket, 1, head)

    ticket = decide(ticket, 3, controller)
    assert ticket.status == Status.APPROVAL_PENDING
    assert ticket.resolution_started_at is None

    ticket = decide(ticket, 2, cfo)
    assert ticket.status == Status.APPROVED


def test_in_an_all_of_group_one_rejection_rejects_and_closes_the_others(
    parallel, staff, sales, head, cfo, controller
):
    ticket = file(parallel(GroupRule.ALL), staff, sales)
    decide(ticket, 1, head)

    ticket = decide(ticket, 3, controller, approve=False, comment="Over budget")

    assert ticket.status == Status.REJECTED
    assert ticket.approvals.get(position=2).decision == Approval.Decision.CLOSED
    assert "the request was rejected" in ticket.events.get(kind=Event.Kind.CLOSED).text


def test_each_approver_of_a_current_group_may_decide(parallel, staff, sales, head, cfo, controller):
    ticket = file(parallel(GroupRule.ALL), staff, sales)
    decide(ticket, 1, head)

    assert Role.APPROVER in services.roles_of(cfo, ticket)
    assert Role.APPROVER in services.roles_of(controller, ticket)
    assert Role.APPROVER not in services.roles_of(head, ticket)


def test_a_skipped_step_in_a_group_leaves_the_others_to_decide(
    parallel, staff, sales, head, controller
):
    ApprovalStep.objects.filter(service=parallel(GroupRule.ALL), position=2).update(
        condition_field="amount", condition_operator="ge", condition_value="50000"
    )
    ticket = file(parallel(GroupRule.ALL), staff, sales, amount="20000")
    decide(ticket, 1, head)

    ticket = decide(ticket, 3, controller)

    assert ticket.status == Status.APPROVED


def test_each_approver_of_a_group_breaches_on_their_own_window_once(
    parallel, staff, sales, head, cfo, controller, clock_at
):
    ticket = file(parallel(GroupRule.ALL), staff, sales)
    clock_at(at(23, 11))
    decide(ticket, 1, head)

    breach_scan(now=at(23, 17))
    breach_scan(now=at(23, 17))

    (breach,) = Breach.objects.filter(ticket=ticket, target=Target.APPROVAL)
    assert (breach.step, breach.approval.approver, breach.due_at) == (3, controller, at(23, 16, 30))
    assert ticket.approvals.get(position=2).breached_at is None


def test_closed_steps_are_not_breached_later(parallel, staff, sales, head, cfo, clock_at):
    ticket = file(parallel(GroupRule.ANY), staff, sales)
    clock_at(at(23, 11))
    decide(ticket, 1, head)
    decide(ticket, 2, cfo)

    breach_scan(now=at(24, 17))

    assert not Breach.objects.filter(ticket=ticket, target=Target.APPROVAL).exists()


# Conditions on the requesting department


def test_a_step_for_other_departments_is_skipped_at_filing(
    purchase_rules, staff, sales, human_resources
):
    ApprovalStep.objects.filter(service=purchase_rules, position=1).update(
        condition_field="@department", condition_operator="in", condition_value="FIN, HR"
    )

    ticket = file(purchase_rules, staff, sales, amount="20000")

    assert list(ticket.approvals.values_list("position", flat=True)) == [2]
    skipped = ticket.events.get(kind=Event.Kind.SKIPPED)
    assert skipped.text == "Step 1 (Head of Finance): Requesting department is none of FIN, HR"


def test_a_step_for_the_requesting_department_is_asked_at_filing(purchase_rules, staff, sales):
    ApprovalStep.objects.filter(service=purchase_rules, position=1).update(
        condition_field="@department", condition_operator="eq", condition_value="Sales"
    )

    ticket = file(purchase_rules, staff, sales, amount="800")

    assert list(ticket.approvals.values_list("position", flat=True)) == [1]


def test_a_department_condition_that_no_longer_reads_asks_the_approval(
    purchase_rules, staff, sales
):
    ApprovalStep.objects.filter(service=purchase_rules, position=1).update(
        condition_field="@department", condition_operator="eq", condition_value="GONE"
    )

    ticket = file(purchase_rules, staff, sales, amount="800")

    assert list(ticket.approvals.values_list("position", flat=True)) == [1]
