"""The candidates of a recognition cycle: every department with its scorecard figures over the
cycle's period (compliance and its trend, mean rating, survey score, complaints, breaches
waived by a dispute) and the kudos it received, and every person thanked in the period with
their kudos and the requests they resolved (`Ticket.resolved_by`).

A department's figures are those of the scorecard (dashboards.scorecard), which HR and heads
see; a person's figures are theirs, seen by them, their heads and HR (recognition.access)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from common import figures
from dashboards.compliance import met_q
from dashboards.periods import Period, PeriodKind
from dashboards.scorecard import ScoreRow, company_facts, scorecard
from departments.models import Department, Membership
from recognition.models import Cycle
from tickets.models import Kudos, Ticket

# What a candidate's figures are called, in the order pages and exports show them.
DEPARTMENT_FIGURES = {
    "rank": _("Rank"),
    "compliance": _("Compliance"),
    "trend": _("Trend"),
    "mean_rating": _("Mean rating"),
    "survey_score": _("Survey score"),
    "complaints": _("Complaints"),
    "waived": _("Waived"),
    "kudos": _("Kudos"),
}
PERSON_FIGURES = {
    "kudos": _("Kudos"),
    "resolved": _("Requests resolved"),
    "resolved_met": _("Resolved in time"),
}
# How each figure is written: a percentage, a change in points, a rating, or a count.
FIGURE_KINDS = {
    "compliance": "percent",
    "trend": "points",
    "mean_rating": "rating",
    "survey_score": "rating",
}
PEOPLE_SHOWN = 50


def period_of(cycle: Cycle) -> Period:
    return Period(PeriodKind.CUSTOM, cycle.starts_on, cycle.ends_on)


@dataclass
class DepartmentCandidate:
    department: Department
    figures: dict[str, float | int | None]


@dataclass
class PersonCandidate:
    person: object
    departments: list[str] = field(default_factory=list)
    figures: dict[str, float | int | None] = field(default_factory=dict)


def _number(value) -> float | None:
    """A rounded figure as JSON keeps it (common.figures rounded it already)."""
    return None if value is None else float(value)


def department_figures(row: ScoreRow, kudos: int) -> dict[str, float | int | None]:
    return {
        "rank": row.rank,
        "compliance": _number(figures.percent(row.current.rate)),
        "trend": _number(figures.percent(row.trend)),
        "mean_rating": _number(figures.rating(row.current.mean_rating)),
        "survey_score": _number(figures.rating(row.survey.score if row.survey else None)),
        "complaints": row.complaints,
        "waived": row.waived,
        "kudos": kudos,
    }


def department_candidates(cycle: Cycle, now: datetime) -> list[DepartmentCandidate]:
    """Every department, in the scorecard's order (best compliance first), with its kudos."""
    period = period_of(cycle)
    kudos = dict(
        Kudos.objects.filter(given_at__gte=period.since, given_at__lt=period.until)
        .values_list("department")
        .annotate(count=Count("pk"))
    )
    rows = scorecard(company_facts(period, now))
    return [
        DepartmentCandidate(
            row.department, department_figures(row, kudos.get(row.department.pk, 0))
        )
        for row in rows
    ]


def person_candidates(cycle: Cycle) -> list[PersonCandidate]:
    """The people thanked in the period, most thanked first, with the requests they resolved in
    the period and how many of those met their resolution target."""
    period = period_of(cycle)
    thanked = dict(
        Kudos.objects.filter(
            given_at__gte=period.since, given_at__lt=period.until, agent__isnull=False
        )
        .values_list("agent")
        .annotate(count=Count("pk"))
        .order_by("-count", "agent")[:PEOPLE_SHOWN]
    )
    return people_figures(list(thanked), period, thanked)


def people_figures(
    person_ids: list[int], period: Period, kudos: dict[int, int] | None = None
) -> list[PersonCandidate]:
    """The figures of `person_ids` over `period`, in that order: three queries."""
    if kudos is None:
        kudos = dict(
            Kudos.objects.filter(
                given_at__gte=period.since, given_at__lt=period.until, agent__in=person_ids
            )
            .values_list("agent")
            .annotate(count=Count("pk"))
        )
    resolved = {
        row["resolved_by"]: row
        for row in Ticket.objects.filter(
            resolved_by__in=person_ids,
            resolved_at__gte=period.since,
            resolved_at__lt=period.until,
        )
        .values("resolved_by")
        .annotate(resolved=Count("pk"), met=Count("pk", filter=met_q("resolution")))
    }
    people = get_user_model().objects.in_bulk(person_ids)
    departments: dict[int, list[str]] = {}
    for membership in (
        Membership.objects.filter(user__in=person_ids)
        .select_related("department")
        .order_by("department__name")
    ):
        departments.setdefault(membership.user_id, []).append(membership.department.name)
    return [
        PersonCandidate(
            people[pk],
            departments.get(pk, []),
            {
                "kudos": kudos.get(pk, 0),
                "resolved": resolved.get(pk, {}).get("resolved", 0),
                "resolved_met": resolved.get(pk, {}).get("met", 0),
            },
        )
        for pk in person_ids
        if pk in people
    ]
