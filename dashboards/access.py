"""Who sees which dashboard: a department's head, whoever the head delegated to today, and for
every department administrators and HR (`departments.view_company_reports`)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from departments.models import Delegation, Department, Membership, sees_company_reports


def dashboard_departments(user, on: date) -> QuerySet[Department]:
    """The departments whose dashboard `user` may open on `on`, by name."""
    if not user.is_authenticated:
        return Department.objects.none()
    if sees_company_reports(user):
        return Department.objects.order_by("name")
    delegators = Delegation.objects.in_force(on).filter(delegate=user).values("person")
    headed = Membership.objects.heads().filter(user=user) | Membership.objects.heads().filter(
        user__in=delegators
    )
    return Department.objects.filter(pk__in=headed.values("department")).order_by("name")


def may_see_scorecard(user, on: date) -> bool:
    """Administrators, HR, and the heads of departments (and their deputies of the day)."""
    return sees_company_reports(user) or dashboard_departments(user, on).exists()
