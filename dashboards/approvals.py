"""Approval windows counted: for each approver and each department (its members' approvals), how
many approval steps of a period were decided within their window, how many breached it, and how
many still run. A step belongs to the period in which it became current; a step without a
window (its agreement sets none) has no target and is not counted; a step closed because its
group was settled by another approver counts only if it had breached before."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q

from dashboards.periods import Period
from departments.models import Department, Membership
from tickets.models import Approval

DECIDED = Q(decision__in=[Approval.Decision.APPROVED, Approval.Decision.REJECTED])


@dataclass
class ApprovalFigures:
    met: int = 0
    breached: int = 0
    pending: int = 0

    def add(self, other: ApprovalFigures) -> None:
        self.met += other.met
        self.breached += other.breached
        self.pending += other.pending

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        """Met ÷ (met + breached), as a percentage; None when nothing was decided."""
        return 100 * self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class ApproverRow:
    approver: object
    figures: ApprovalFigures


OUTCOMES = ("met", "breached", "pending")


def _breached_q(now: datetime) -> Q:
    breached = Q(breached_at__isnull=False) | (DECIDED & Q(decided_at__gt=F("due_at")))
    return breached | Q(decision="", due_at__lt=now)


def outcome_q(outcome: str, now: datetime) -> Q:
    """The approval steps met, breached or still running (pending) at `now`."""
    breached = _breached_q(now)
    if outcome == "breached":
        return breached
    if outcome == "met":
        return DECIDED & Q(decided_at__lte=F("due_at")) & ~breached
    return Q(decision="", due_at__gte=now, breached_at__isnull=True)


def counted_steps(period: Period):
    """The approval steps the figures of `period` count: with a window, current in the period."""
    return Approval.objects.filter(
        due_at__isnull=False, current_since__gte=period.since, current_since__lt=period.until
    )


def steps_behind(
    department: Department, period: Period, now: datetime, outcome: str, approver: int | None
):
    """The approval steps behind one figure of the department's Approvals section: its members'
    (or the one member `approver`'s) steps of the period with this outcome."""
    steps = counted_steps(period).filter(
        approver__in=Membership.objects.filter(department=department).values("user")
    )
    if approver is not None:
        steps = steps.filter(approver_id=approver)
    return steps.filter(outcome_q(outcome, now))


def by_approver(period: Period, now: datetime, approvers=None) -> dict[int, ApprovalFigures]:
    """One query: the figures of each approver (by user id) whose steps became current in the
    period, limited to `approvers` (a queryset of user ids) when given."""
    steps = counted_steps(period)
    if approvers is not None:
        steps = steps.filter(approver__in=approvers)
    rows = steps.values("approver_id").annotate(
        breached=Count("pk", filter=outcome_q("breached", now)),
        met=Count("pk", filter=outcome_q("met", now)),
        pending=Count("pk", filter=outcome_q("pending", now)),
    )
    return {
        row["approver_id"]: ApprovalFigures(row["met"], row["breached"], row["pending"])
        for row in rows
    }


def department_approvers(department: Department, period: Period, now: datetime) -> list:
    """The department's members who had approval steps in the period, with their figures, by
    name; two queries."""
    members = Membership.objects.filter(department=department).values("user")
    figures = by_approver(period, now, approvers=members)
    people = get_user_model().objects.filter(pk__in=figures).order_by("first_name", "username")
    return [ApproverRow(person, figures[person.pk]) for person in people]


def total(rows: list[ApproverRow]) -> ApprovalFigures:
    summed = ApprovalFigures()
    for row in rows:
        summed.add(row.figures)
    return summed


def by_department(period: Period, now: datetime) -> dict[int, ApprovalFigures]:
    """Every department's figures (the approvals of its members), in two queries; someone
    who belongs to two departments counts for both."""
    figures = by_approver(period, now)
    departments: dict[int, ApprovalFigures] = defaultdict(ApprovalFigures)
    memberships = Membership.objects.filter(user__in=list(figures)).values_list(
        "user_id", "department_id"
    )
    for user_id, department_id in memberships.distinct():
        departments[department_id].add(figures[user_id])
    return dict(departments)
