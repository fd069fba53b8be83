"""The company scorecard: every department ranked by its compliance as supplier, with its
satisfaction, volume and trend, each score explainable from the counts it came from; and the
supplier × customer heat map of compliance across the company.

Both need every request of the company in the period (and the one before, for the trend): they
add up the daily totals per supplier and customer of the settled days, and count the other days
from the requests (dashboards.rollup), for named and custom periods alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone

from dashboards.approvals import ApprovalFigures
from dashboards.approvals import by_department as approval_figures
from dashboards.compliance import Compliance, grouped
from dashboards.models import DailyPairCount
from dashboards.periods import Period
from dashboards.rollup import Source, period_facts
from departments.models import Department
from feedback.selectors import FeedbackFigures, figures_by_department
from surveys.selectors import DepartmentSatisfaction, satisfaction_by_department
from tickets.models import Ticket


@dataclass
class ScoreRow:
    rank: int | None  # None: nothing decided in the period, so no rank
    department: Department
    current: Compliance
    previous: Compliance
    survey: DepartmentSatisfaction | None = None  # None: no survey results to show
    # Complaints and suggestions filed about the department in the period, and how fast it
    # responded (feedback.selectors).
    feedback: FeedbackFigures | None = None
    # Its members' approval steps decided within their windows (dashboards.approvals).
    approval: ApprovalFigures = field(default_factory=ApprovalFigures)

    @property
    def complaints(self) -> int:
        """Complaints filed about the department in the period."""
        return self.feedback.complaints if self.feedback else 0

    @property
    def complaint_response(self) -> timedelta | None:
        """Median working time to respond to complaints and suggestions in the period."""
        return self.feedback.median_response if self.feedback else None

    @property
    def waived(self) -> int:
        """Breaches of the period waived by a dispute, shown beside the score (not in it)."""
        return self.current.waived

    # The department's own duties as a customer (rule of the clock 8), from the requests it
    # filed in the period: duty_met, duty_breached and duty_rate.
    duties: Compliance = field(default_factory=Compliance)

    @property
    def duty_met(self) -> int:
        return self.duties.duty_met

    @property
    def duty_breached(self) -> int:
        return self.duties.duty_breached

    @property
    def trend(self) -> float | None:
        """Change of compliance against the previous period, in percentage points."""
        if self.current.rate is None or self.previous.rate is None:
            return None
        return self.current.rate - self.previous.rate


@dataclass(frozen=True)
class CompanyFacts:
    """Every request of a period and of the one before, counted by supplier, customer and period
    (rows of FIGURES); the scorecard and the heat map are sums over them."""

    period: Period
    rows: list[dict]
    source: Source
    now: datetime | None = None


def company_facts(period: Period, now: datetime, kind: str = "") -> CompanyFacts:
    """At most three queries (dashboards.rollup.period_facts); only the requests under
    agreements of one `kind` of relationship when given (then counted from the requests)."""
    previous = period.previous()

    def this_period(day_field: str, first) -> Case:
        return Case(
            When(**{f"{day_field}__gte": first}, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )

    tickets = Ticket.objects.filter(agreement__relationship=kind) if kind else Ticket.objects.all()
    rows, source = period_facts(
        tickets,
        None if kind else DailyPairCount.objects.all(),
        previous.first,
        period.last,
        now,
        ("provider_id", "customer_id", "this_period"),
        live={"this_period": this_period("filed_at", period.since)},
        counted={"this_period": this_period("day", period.first)},
    )
    return CompanyFacts(period, rows, source, now)


def scorecard(company: CompanyFacts) -> list[ScoreRow]:
    """Four queries besides the facts: the departments, the survey scores of the period
    (surveys.selectors; departments with fewer respondents than a campaign's anonymity threshold
    have none) and the approval figures (two). Ranked by compliance, then by the number of
    targets decided (more evidence first)."""
    period, rows = company.period, company.rows
    current = grouped((r for r in rows if r["this_period"]), lambda r: r["provider_id"])
    before = grouped((r for r in rows if not r["this_period"]), lambda r: r["provider_id"])
    figures = {
        pk: (current.get(pk, Compliance()), before.get(pk, Compliance()))
        for pk in current.keys() | before.keys()
    }
    as_customer = grouped((r for r in rows if r["this_period"]), lambda r: r["customer_id"])
    surveys = satisfaction_by_department(since=period.since, until=period.until)
    feedback = figures_by_department(period.since, period.until)
    approvals = approval_figures(period, company.now or timezone.now())
    scored = [
        ScoreRow(
            None,
            department,
            *figures.get(department.pk, (Compliance(), Compliance())),
            survey=surveys.get(department.pk),
            feedback=feedback.get(department.pk),
            approval=approvals.get(department.pk, ApprovalFigures()),
            duties=as_customer.get(department.pk, Compliance()),
        )
        for department in Department.objects.order_by("name")
    ]
    scored.sort(
        key=lambda r: (
            r.current.rate is None,
            -(r.current.rate or 0),
            -r.current.decided,
            r.department.name,
        )
    )
    rank = 0
    for row in scored:
        if row.current.rate is not None:
            rank += 1
            row.rank = rank
    return scored


@dataclass
class HeatMap:
    suppliers: list[Department]
    customers: list[Department]
    cells: dict[tuple[int, int], Compliance]

    def rows(self) -> list[tuple[Department, list[tuple[Department, Compliance | None]]]]:
        return [
            (
                supplier,
                [
                    (customer, self.cells.get((supplier.pk, customer.pk)))
                    for customer in self.customers
                ],
            )
            for supplier in self.suppliers
        ]


def heat_map(company: CompanyFacts) -> HeatMap:
    """One query besides the facts: compliance of every supplier for every customer that filed
    with it in the period."""
    current = (row for row in company.rows if row["this_period"])
    cells = grouped(current, lambda row: (row["provider_id"], row["customer_id"]))
    ids = {pk for pair in cells for pk in pair}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=ids).order_by("name")}
    suppliers = sorted({departments[s] for s, _ in cells}, key=lambda d: d.name)
    customers = sorted({departments[c] for _, c in cells}, key=lambda d: d.name)
    return HeatMap(suppliers, customers, cells)


def heat_class(figures: Compliance | None) -> str:
    """The CSS class of a heat map cell, by compliance band."""
    if figures is None or figures.rate is None:
        return "heat-none"
    if figures.rate >= 95:
        return "heat-5"
    if figures.rate >= 85:
        return "heat-4"
    if figures.rate >= 70:
        return "heat-3"
    if figures.rate >= 50:
        return "heat-2"
    return "heat-1"
