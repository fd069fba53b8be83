"""A request's approval chain: which steps of the service's chain apply to its answers, the
parallel groups (stages) they form, and when a stage is satisfied. Called by tickets.services
inside its transactions; the steps' conditions live in agreements.conditions.

A stage is the steps decided together: a step and those after it marked "together with the step
before". Its approvals become current at once, each with its own window from that moment
(rule 2). "All of": every approver approves, one rejection rejects the request. "Any of": the
first approval satisfies the stage; the request is rejected only when all have rejected. Steps
no longer needed when a stage is settled are closed, on the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _

from agreements.conditions import Verdict
from agreements.models import ApprovalStep, GroupRule
from departments.heads import acting_head
from departments.models import Department
from tickets import notifications
from tickets.models import Approval, Event, Ticket


@dataclass(frozen=True)
class PlannedStep:
    position: int
    step: ApprovalStep
    verdict: Verdict
    stage: int
    group_rule: str


def plan(
    steps: list[ApprovalStep], answers: dict, customer: Department | None = None
) -> list[PlannedStep]:
    """Every step of the chain with its verdict on `answers` and the requesting department
    `customer`, and its stage; a group takes the rule of its first step."""
    planned: list[PlannedStep] = []
    stage, rule = 0, GroupRule.ALL
    for position, step in enumerate(steps, start=1):
        if not step.with_previous or not planned:
            stage, rule = position, step.group_rule
        planned.append(PlannedStep(position, step, step.verdict(answers, customer), stage, rule))
    return planned


def needs_approval(planned: list[PlannedStep]) -> bool:
    return any(p.verdict.applies for p in planned)


def open_chain(ticket: Ticket, planned: list[PlannedStep], now: datetime) -> None:
    """Record the skipped steps, create the approvals of the others and make the first stage
    current (its approvers are asked by e-mail)."""
    windows = {}
    if ticket.agreement:
        windows = {w.position: w.window for w in ticket.agreement.approval_windows.all()}
    approvals = []
    for p in planned:
        if not p.verdict.applies:
            _log(ticket, Event.Kind.SKIPPED, now, skipped_text(p))
            continue
        approvals.append(
            Approval(
                ticket=ticket,
                position=p.position,
                approver=approver_of(p.step, ticket),
                description=p.step.description,
                stage=p.stage,
                group_rule=p.group_rule,
                window=windows.get(p.position),
            )
        )
    first = [a for a in approvals if a.stage == approvals[0].stage] if approvals else []
    for approval in first:
        make_current(ticket, approval, now)
    Approval.objects.bulk_create(approvals)
    for approval in first:
        notifications.approval_needed(ticket, approval)


def approver_of(step: ApprovalStep, ticket: Ticket):
    """Who decides `step` for `ticket`: the named person or the (acting) head of a department."""
    from tickets.services import TicketError  # services imports this module

    if step.approver == ApprovalStep.Approver.PERSON:
        return step.person
    department = (
        step.department
        if step.approver == ApprovalStep.Approver.DEPARTMENT_HEAD
        else ticket.customer
    )
    # A department without a head (its head left): the head one level up, and so on.
    head = acting_head(department)
    if head is None:
        raise TicketError(
            _("This service needs the approval of the head of %(department)s, which has none; "
              "ask an administrator to name one.") % {"department": department}
        )  # fmt: skip
    return head


def make_current(ticket: Ticket, approval: Approval, now: datetime) -> None:
    """The approval's window starts now, on the agreement's business clock."""
    approval.current_since = now
    if approval.window and ticket.agreement:
        clock = ticket.agreement.calendar.as_clock()
        approval.due_at = clock.add(now, approval.window)
        approval.warn_at = clock.add(
            now, approval.window * ticket.agreement.warning_threshold / 100
        )


def stage_outcome(approvals: list[Approval]) -> str | None:
    """APPROVED or REJECTED once the stage of these approvals is settled, else None."""
    decisions = [a.decision for a in approvals if a.decision != Approval.Decision.CLOSED]
    approved = decisions.count(Approval.Decision.APPROVED)
    rejected = decisions.count(Approval.Decision.REJECTED)
    if approvals[0].group_rule == GroupRule.ANY:
        if approved:
            return Approval.Decision.APPROVED
        return Approval.Decision.REJECTED if rejected == len(approvals) else None
    if rejected:
        return Approval.Decision.REJECTED
    return Approval.Decision.APPROVED if approved == len(approvals) else None


def settle_stage(ticket: Ticket, approval: Approval, now: datetime) -> str | None:
    """After `approval` was decided: the outcome of its stage (None while it waits on others);
    once settled, the stage's undecided approvals are closed."""
    stage = list(ticket.approvals.filter(stage=approval.stage).select_related("approver"))
    outcome = stage_outcome(stage)
    if outcome is None:
        return None
    why = (
        _("another approver of the group approved")
        if outcome == Approval.Decision.APPROVED
        else _("the request was rejected")
    )
    for other in stage:
        if other.decision:
            continue
        other.decision, other.decided_at = Approval.Decision.CLOSED, now
        other.save(update_fields=["decision", "decided_at"])
        _log(ticket, Event.Kind.CLOSED, now, _step_text(other.position, _name(other.approver), why))
    return outcome


def open_next_stage(ticket: Ticket, after: int, now: datetime) -> bool:
    """Make the stage after `after` current and ask its approvers; False when there is none."""
    following = ticket.approvals.filter(stage__gt=after).order_by("stage").first()
    if following is None:
        return False
    approvals = list(ticket.approvals.filter(stage=following.stage))
    for approval in approvals:
        make_current(ticket, approval, now)
        approval.save(update_fields=["current_since", "due_at", "warn_at"])
        notifications.approval_needed(ticket, approval)
    return True


def skipped_text(planned: PlannedStep) -> str:
    """For the timeline: "Step 2 (Jun Qian): Amount ≤ 10,000"."""
    return _step_text(planned.position, _who(planned.step), planned.verdict.reason)


def waiting_text(planned: PlannedStep) -> str:
    """For the due-time preview: "Step 2 (Jun Qian): Amount > 10,000", or "Step 1 (Head of
    Sales)" for a step without a condition."""
    if not planned.verdict.reason:
        return _("Step %(position)s (%(approver)s)") % {
            "position": planned.position,
            "approver": _who(planned.step),
        }
    return _step_text(planned.position, _who(planned.step), planned.verdict.reason)


def _who(step: ApprovalStep) -> str:
    """Who a step asks, in words: a person's name, or "Head of Finance"."""
    return _name(step.person) if step.approver == ApprovalStep.Approver.PERSON else str(step)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _step_text(position: int, approver: str, reason: str) -> str:
    return _("Step %(position)s (%(approver)s): %(reason)s") % {
        "position": position,
        "approver": approver,
        "reason": reason,
    }


def _log(ticket: Ticket, kind: str, at: datetime, text: str) -> None:
    Event.objects.create(ticket=ticket, kind=kind, actor=None, at=at, text=text)
