"""Who may do and see what in recognition.

HR (`departments.view_company_reports`) and administrators run the cycles and see every
candidate. Everyone signed in sees published awards. A department's figures are the
scorecard's, seen by those who may see the scorecard (HR and heads); a person's figures are
seen only by that person, the heads of their departments (and a head's delegate in force, for the
length of the delegation) and HR."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from dashboards.access import may_see_scorecard
from departments.models import Membership, acting_for, sees_company_reports


def may_run_cycles(user) -> bool:
    return sees_company_reports(user)


def sees_department_figures(user) -> bool:
    return may_see_scorecard(user, timezone.localdate())


def people_whose_figures_are_seen(user, person_ids: Iterable[int]) -> set[int]:
    """Those of `person_ids` whose personal figures `user` may see: themselves, the members of
    the departments `user` heads or heads for someone away today, or all of them for HR."""
    person_ids = set(person_ids)
    if not user.is_authenticated or not person_ids:
        return set()
    if sees_company_reports(user):
        return person_ids
    headed = (
        Membership.objects.heads()
        .filter(user__in=acting_for(user, timezone.localdate()))
        .values("department")
    )
    members = Membership.objects.filter(department__in=headed, user__in=person_ids)
    return set(members.values_list("user_id", flat=True)) | ({user.pk} & person_ids)
