"""Reads of the department dashboard: one department seen as supplier (what it received and how it
met its targets) or as customer (how its suppliers treated it), over a period; and the requests
behind each figure, scoped by what the reader may see.

Every figure is aggregated in SQL (dashboards.compliance), from the daily totals of the settled
days and from the requests of the others (dashboards.rollup); a page costs the same number of
queries whatever the number of requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, OuterRef, Q, QuerySet
from django.utils import timezone

from agreements.clock import BusinessClock
from agreements.models import Service
from common.counts import subquery_count
from dashboards import approvals
from dashboards.chains import Chain, finished_chains
from dashboards.compliance import (
    TARGETS,
    Compliance,
    Group,
    breached_q,
    breakdown,
    filed_within,
    grouped,
    keyed,
    outcome_q,
    total,
)
from dashboards.models import DailyCount
from dashboards.periods import DrillForm, Period, week_of_filing
from dashboards.rollup import Source, period_facts
from dashboards.working_hours import Durations, working_durations
from departments.models import Department
from feedback.selectors import FeedbackFigures, figures_by_department
from tickets.models import OPEN_STATUSES, Ticket
from tickets.selectors import about_to_breach_q, clocks_by_calendar, for_lists, with_next_due

SUPPLIER, CUSTOMER = "supplier", "customer"
SIDES = (SUPPLIER, CUSTOMER)
AT_RISK_SHOWN = 20


def side_tickets(department: Department, side: str) -> QuerySet[Ticket]:
    """The requests a department received (supplier) or filed (customer)."""
    if side == CUSTOMER:
        return Ticket.objects.filter(customer=department)
    return Ticket.objects.filter(provider=department)


def of_kind(tickets: QuerySet[Ticket], kind: str) -> QuerySet[Ticket]:
    """The requests filed under an agreement of this kind of relationship ("": all of them)."""
    return tickets.filter(agreement__relationship=kind) if kind else tickets


def all_clocks() -> dict[int, BusinessClock]:
    """The business clock of every calendar, in three queries (a company has a handful)."""
    return clocks_by_calendar()


@dataclass
class TrendPoint:
    week: date
    figures: Compliance


def weekly_trend(rows: list[dict], period: Period) -> list[TrendPoint]:
    """Compliance of the requests filed each week (Monday first) of the period, from fact rows
    keyed by "week"; weeks without requests included."""
    by_week = grouped(keyed(rows, "week"), lambda row: row["week"])
    monday = period.first - timedelta(days=period.first.weekday())
    points = []
    while monday <= period.last:
        points.append(TrendPoint(monday, by_week.get(monday, Compliance())))
        monday += timedelta(days=7)
    return points


@dataclass
class Backlog:
    open: int = 0
    overdue: int = 0
    unassigned: int = 0


def overdue_q(now: datetime) -> Q:
    """Requests with a target breached and still unmet."""
    condition = Q(pk__in=[])
    for target, met in TARGETS.items():
        condition |= breached_q(target, now) & Q(**{f"{met}__isnull": True})
    return condition


def backlog(department: Department, side: str, now: datetime) -> Backlog:
    """One query: the open requests now, whatever the period. Each figure is its own count, so
    that PostgreSQL answers "open" and "unassigned" from the queue's indexes without reading the
    requests (as supplier), and reads for "overdue" only the requests whose stored next due time
    does not already tell: one whose next due time (the earliest due time of its unmet targets,
    `Ticket.next_due_at`) is past is overdue; one paused, without a clock or due later is
    overdue only if a target was flagged before. At a million requests (50,000 open in the
    department) the single COUNT with three filters read all 50,000 rows (34,000 pages)."""
    column = "customer" if side == CUSTOMER else "provider"
    open_here = Ticket.objects.filter(**{column: OuterRef("pk")}, status__in=OPEN_STATUSES)
    not_yet_due = open_here.exclude(next_due_at__lt=now)
    row = (
        Department.objects.filter(pk=department.pk)
        .values(
            open=subquery_count(open_here),
            overdue=subquery_count(open_here.filter(next_due_at__lt=now))
            + subquery_count(not_yet_due.filter(overdue_q(now))),
            unassigned=subquery_count(open_here.filter(assignee__isnull=True)),
        )
        .get()
    )
    return Backlog(**row)


@dataclass
class Dashboard:
    department: Department
    side: str
    period: Period
    now: datetime
    summary: Compliance
    trend: list[TrendPoint]
    by_service: list[Group]
    by_department: list[Group]  # customers (supplier side) or suppliers (customer side)
    by_priority: list[Group]
    backlog: Backlog
    at_risk: list[Ticket]
    at_risk_count: int
    source: Source
    durations: dict[str, Durations] = field(default_factory=dict)
    # Complaints and suggestions about the department in the period (the supplier side).
    feedback: FeedbackFigures | None = None
    chains: list[Chain] = field(default_factory=list)  # finished in the period, latest first


def department_dashboard(
    department: Department, side: str, period: Period, now: datetime, kind: str = ""
) -> Dashboard:
    """The dashboard of `department` as supplier or customer, in a constant number of queries;
    only the requests under agreements of one `kind` of relationship when given (counted from
    the requests: the daily totals do not keep the kind)."""
    tickets = of_kind(side_tickets(department, side), kind)
    other = "provider_id" if side == CUSTOMER else "customer_id"
    totals = DailyCount.objects.filter(
        **{"customer" if side == CUSTOMER else "provider": department}
    )
    rows, source = period_facts(
        tickets,
        None if kind else totals,
        period.first,
        period.last,
        now,
        ("service_id", other, "priority", "week"),
        live={"week": week_of_filing()},
        separately=True,
    )
    services = dict(
        Service.objects.filter(
            pk__in={r["service_id"] for r in keyed(rows, "service_id")}
        ).values_list("pk", "name")
    )
    departments = dict(
        Department.objects.filter(pk__in={r[other] for r in keyed(rows, other)}).values_list(
            "pk", "name"
        )
    )
    at_risk = (
        with_next_due(tickets.filter(status__in=OPEN_STATUSES))
        .filter(about_to_breach_q(now))
        .select_related("service", "provider", "customer", "assignee")
        .order_by("next_due_at", "pk")
    )
    at_risk_rows = list(at_risk[: AT_RISK_SHOWN + 1])
    in_period = filed_within(tickets, period.since, period.until)
    clocks = all_clocks()
    return Dashboard(
        department=department,
        side=side,
        period=period,
        now=now,
        summary=total(keyed(rows, "priority")),
        trend=weekly_trend(rows, period),
        by_service=breakdown(rows, "service_id", services),
        by_department=breakdown(rows, other, departments),
        by_priority=sorted(breakdown(rows, "priority"), key=lambda g: str(g.key)),
        backlog=backlog(department, side, now),
        at_risk=at_risk_rows[:AT_RISK_SHOWN],
        at_risk_count=(at_risk.count() if len(at_risk_rows) > AT_RISK_SHOWN else len(at_risk_rows)),
        durations=working_durations(in_period, clocks),
        source=source,
        feedback=(
            figures_by_department(period.since, period.until, [department.pk]).get(
                department.pk, FeedbackFigures()
            )
            if side == SUPPLIER
            else None
        ),
        chains=finished_chains(
            department,
            side == CUSTOMER,
            period.since,
            period.until,
            of_kind(Ticket.objects.all(), kind),
            clocks,
        ),
    )


# The requests behind a figure ---------------------------------------------------------------

OUTCOMES = ("met", "breached", "pending", "waived")
STATES = ("", "no_agreement", "rated", "open", "overdue", "unassigned", "at_risk")


@dataclass(frozen=True)
class Drill:
    """Which requests of a dashboard a link asks for; every part optional."""

    target: str = ""  # "first_response", "resolution" or "" (any)
    outcome: str = ""  # met, breached, pending, waived: of `target`, or of either when ""
    state: str = ""  # one of STATES
    service: int | None = None
    other: int | None = None  # the customer (supplier side) or the supplier (customer side)
    priority: str = ""
    week: date | None = None
    approval: str = ""  # met, breached, pending: the requests behind an Approvals figure
    approver: int | None = None  # that figure's approver, a member of the department

    @classmethod
    def from_query(cls, query) -> Drill:
        """Read the URL's parameters; anything unknown is ignored rather than an error."""

        form = DrillForm(query)
        form.is_valid()
        parsed = form.cleaned_data  # the fields that are valid
        target = query.get("target", "")
        outcome = query.get("outcome", "")
        state = query.get("state", "")
        approval = query.get("approval", "")
        return cls(
            target=target if target in TARGETS else "",
            outcome=outcome if outcome in OUTCOMES else "",
            state=state if state in STATES else "",
            service=parsed.get("service"),
            other=parsed.get("other"),
            priority=query.get("priority", "")[:2],
            week=parsed.get("week"),
            approval=approval if approval in approvals.OUTCOMES else "",
            approver=parsed.get("approver"),
        )

    @property
    def is_current(self) -> bool:
        """Open requests as they stand now, whatever the period."""
        return self.state in ("open", "overdue", "unassigned", "at_risk")


def drill_requests(
    user,
    department: Department,
    side: str,
    period: Period,
    drill: Drill,
    now: datetime,
    kind: str = "",
) -> QuerySet[Ticket]:
    """The requests behind one figure of a dashboard that `user` may see, newest first (the most
    pressing first for current states). An Approvals figure counts its members' approval steps
    of the period, on whichever side and kind of request: its requests are those steps'."""
    if drill.approval:
        steps = approvals.steps_behind(department, period, now, drill.approval, drill.approver)
        tickets = Ticket.objects.visible_to(user).filter(pk__in=steps.values("ticket_id"))
    else:
        tickets = of_kind(side_tickets(department, side), kind) & Ticket.objects.visible_to(user)
    if drill.is_current:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    elif not drill.approval:
        tickets = filed_within(tickets, period.since, period.until)
    if drill.week:
        tickets = filed_within(
            tickets,
            timezone.make_aware(datetime.combine(drill.week, datetime.min.time())),
            timezone.make_aware(
                datetime.combine(drill.week + timedelta(days=7), datetime.min.time())
            ),
        )
    if drill.service:
        tickets = tickets.filter(service_id=drill.service)
    if drill.other:
        tickets = tickets.filter(
            **{"provider_id" if side == CUSTOMER else "customer_id": drill.other}
        )
    if drill.priority:
        tickets = tickets.filter(priority=drill.priority)
    if drill.outcome:
        targets = [drill.target] if drill.target else list(TARGETS)
        condition = Q(pk__in=[])
        for target in targets:
            condition |= outcome_q(drill.outcome, target, now)
        tickets = tickets.filter(condition)
    if drill.state == "no_agreement":
        tickets = tickets.filter(agreement__isnull=True)
    elif drill.state == "rated":
        tickets = tickets.filter(rating__isnull=False)
    elif drill.state == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif drill.state == "overdue":
        tickets = tickets.filter(overdue_q(now))
    tickets = for_lists(tickets)
    if drill.state == "at_risk":
        tickets = tickets.filter(about_to_breach_q(now))
    if drill.is_current:
        return tickets.order_by(F("next_due_at").asc(nulls_last=True), "filed_at", "pk")
    return tickets.order_by("-filed_at", "-pk")
