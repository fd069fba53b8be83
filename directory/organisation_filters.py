"""The query parameters of the department and membership lists of the API, through
django-filter."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from common.filters import YesNoFilter
from departments.models import Department, Membership


class DepartmentFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="by_words", max_length=100)
    parent = django_filters.CharFilter(
        field_name="parent__code", lookup_expr="iexact", max_length=20
    )
    archived = YesNoFilter(field_name="archived_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Department
        fields: list[str] = []

    def by_words(self, departments: QuerySet, name: str, words: str) -> QuerySet:
        return departments.filter(Q(name__icontains=words) | Q(code__icontains=words))


class MembershipFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(
        field_name="department__code", lookup_expr="iexact", max_length=20
    )
    user = django_filters.CharFilter(field_name="user__username", max_length=150)
    role = django_filters.ChoiceFilter(choices=Membership.Role.choices)

    class Meta:
        model = Membership
        fields: list[str] = []
