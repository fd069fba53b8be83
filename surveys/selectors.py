"""Reads about surveys that other pages and apps use: who sees which results, and each
department's satisfaction score for the company scorecard (dashboards)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from departments.models import Department, Membership, sees_company_reports
from surveys.models import Answer, Invitation, QuestionKind, Wave


@dataclass(frozen=True)
class DepartmentSatisfaction:
    department_id: int
    score: float  # mean of the Likert (1-5) answers about this rated department
    responses: int  # number of responses counted


def satisfaction_by_department(
    *, since: datetime, until: datetime, now: datetime | None = None
) -> dict[int, DepartmentSatisfaction]:
    """Survey satisfaction per rated department over the waves that closed in [since, until)
    (and by `now`), omitting any department whose respondents are fewer than the campaign's
    anonymity threshold.

    Responses keep their wave and no finer time, and results appear only once a wave closes (an
    open wave's figures would change with each answer): a wave counts in the period it closed in.
    Each campaign's threshold applies to that campaign's responses about the department."""
    now = now or timezone.now()
    groups = (
        Answer.objects.filter(
            question__kind=QuestionKind.LIKERT,
            value__isnull=False,
            response__wave__closes_at__gte=since,
            response__wave__closes_at__lt=until,
            response__wave__closes_at__lte=now,
        )
        .values(
            "response__rated_department",
            "response__wave__campaign",
            threshold=F("response__wave__campaign__min_respondents"),
        )
        .annotate(
            respondents=Count("response", distinct=True),
            total=Sum("value"),
            answers=Count("pk"),
        )
        .filter(respondents__gte=F("threshold"))
        .order_by()
    )
    totals: dict[int, list[int]] = {}
    for group in groups:
        sums = totals.setdefault(group["response__rated_department"], [0, 0, 0])
        sums[0] += group["total"]
        sums[1] += group["answers"]
        sums[2] += group["respondents"]
    return {
        department_id: DepartmentSatisfaction(
            department_id=department_id, score=total / answers, responses=respondents
        )
        for department_id, (total, answers, respondents) in totals.items()
        if answers
    }


# Who sees which results ---------------------------------------------------------------------


def headed_departments(user) -> QuerySet[Department]:
    if not user.is_authenticated:
        return Department.objects.none()
    return Department.objects.filter(memberships__user=user, memberships__role=Membership.Role.HEAD)


def results_departments(user, wave: Wave) -> QuerySet[Department] | None:
    """The rated departments of `wave` whose results `user` sees: None meaning all of them (HR
    and administrators), their own departments for heads, none otherwise."""
    if sees_company_reports(user):
        return None
    return headed_departments(user).filter(pk__in=wave.invitations.values("rated_department"))


def waves_visible_to(user) -> QuerySet[Wave]:
    """Waves whose results `user` may open: all for HR, those rating their department for
    heads."""
    waves = Wave.objects.select_related("campaign")
    if sees_company_reports(user):
        return waves
    headed = headed_departments(user).values("pk")
    return waves.filter(
        Q(invitations__rated_department__in=headed) | Q(responses__rated_department__in=headed)
    ).distinct()


# What waits on a person ---------------------------------------------------------------------


def open_invitations(user, now: datetime) -> QuerySet[Invitation]:
    """`user`'s own unanswered invitations of waves still open, the soonest to close first."""
    if not user.is_authenticated:
        return Invitation.objects.none()
    return (
        Invitation.objects.filter(
            recipient=user, answered=False, wave__launched_at__lte=now, wave__closes_at__gt=now
        )
        .select_related("wave__campaign", "rated_department")
        .order_by("wave__closes_at", "pk")
    )
