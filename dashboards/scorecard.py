"""The company scorecard: every department ranked by its compliance as supplier, with its
satisfaction, volume and trend, each score explainable from the counts it came from; and the
supplier × customer heat map of compliance across the company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from dashboards.compliance import Compliance, metrics
from dashboards.periods import Period
from departments.models import Department
from surveys.selectors import DepartmentSatisfaction, satisfaction_by_department
from tickets.models import Ticket


@dataclass
class ScoreRow:
    rank: int | None  # None: nothing decided in the period, so no rank
    department: Department
    current: Compliance
    previous: Compliance
    survey: DepartmentSatisfaction | None = None  # None: no survey results to show

    @property
    def trend(self) -> float | None:
        """Change of compliance against the previous period, in percentage points."""
        if self.current.rate is None or self.previous.rate is None:
            return None
        return self.current.rate - self.previous.rate


def scorecard(period: Period, now: datetime) -> list[ScoreRow]:
    """Three queries: the departments, every provider's figures of this period and of the one
    before, and the survey scores of the period (surveys.selectors: departments with fewer
    respondents than a campaign's anonymity threshold have none). Ranked by compliance, then by
    the number of targets decided (more evidence first)."""
    previous = period.previous()
    this_period = Q(filed_at__gte=period.since, filed_at__lt=period.until)
    rows = (
        Ticket.objects.filter(filed_at__gte=previous.since, filed_at__lt=period.until)
        .order_by()
        .values("provider")
        .annotate(**metrics(now, this_period), **metrics(now, ~this_period, "previous_"))
    )
    figures = {}
    for row in rows:
        previous_row = {
            k.removeprefix("previous_"): v for k, v in row.items() if k.startswith("previous_")
        }
        figures[row["provider"]] = (Compliance.of(row), Compliance.of(previous_row))
    surveys = satisfaction_by_department(since=period.since, until=period.until)
    scored = [
        ScoreRow(
            None,
            department,
            *figures.get(department.pk, (Compliance(), Compliance())),
            survey=surveys.get(department.pk),
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


def heat_map(period: Period, now: datetime) -> HeatMap:
    """Two queries: compliance of every supplier for every customer that filed with it."""
    rows = (
        Ticket.objects.filter(filed_at__gte=period.since, filed_at__lt=period.until)
        .order_by()
        .values("provider", "customer")
        .annotate(**metrics(now))
    )
    cells = {(row["provider"], row["customer"]): Compliance.of(row) for row in rows}
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
