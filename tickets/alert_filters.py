"""The query parameters of the breach, warning and escalation lists, parsed and validated by
django-filter: the department (either side, or the provider or the customer), the target, the
period the alert was detected in and the request it belongs to."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from common.filters import BoundedDateField, IdFilter
from tickets.models import Breach, Escalation, Target


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class LevelFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=1000, **kwargs)


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AlertFilter(django_filters.FilterSet):
    """Filters shared by breaches and warnings; `prefix` leads from the row to its request."""

    prefix = ""
    moment = "detected_at"  # the instant `since` and `until` compare

    department = django_filters.CharFilter(method="by_department", max_length=20)
    provider = django_filters.CharFilter(method="by_provider", max_length=20)
    customer = django_filters.CharFilter(method="by_customer", max_length=20)
    target = django_filters.ChoiceFilter(choices=Target.choices, method="by_target")
    request = IdFilter(method="by_request")
    since = BoundedDateFilter(method="on_or_after")
    until = BoundedDateFilter(method="on_or_before")

    class Meta:
        model = Breach
        fields: list[str] = []

    def _ticket(self, lookup: str) -> str:
        return f"{self.prefix}ticket__{lookup}"

    def by_department(self, rows: QuerySet, name: str, code: str) -> QuerySet:
        return rows.filter(
            Q(**{self._ticket("provider__code__iexact"): code})
            | Q(**{self._ticket("customer__code__iexact"): code})
        )

    def by_provider(self, rows: QuerySet, name: str, code: str) -> QuerySet:
        return rows.filter(**{self._ticket("provider__code__iexact"): code})

    def by_customer(self, rows: QuerySet, name: str, code: str) -> QuerySet:
        return rows.filter(**{self._ticket("customer__code__iexact"): code})

    def by_target(self, rows: QuerySet, name: str, target: str) -> QuerySet:
        return rows.filter(**{f"{self.prefix}target": target})

    def by_request(self, rows: QuerySet, name: str, ticket_id: int) -> QuerySet:
        return rows.filter(**{self._ticket("id"): ticket_id})

    def on_or_after(self, rows: QuerySet, name: str, day) -> QuerySet:
        return rows.filter(**{f"{self.moment}__gte": _day_start(day)})

    def on_or_before(self, rows: QuerySet, name: str, day) -> QuerySet:
        """Up to the end of `day` (company time), included."""
        return rows.filter(**{f"{self.moment}__lt": _day_start(day + timedelta(days=1))})


class EscalationFilter(AlertFilter):
    """The same filters, through an escalation's breach, over the time it was escalated; and
    its level."""

    prefix = "breach__"
    moment = "escalated_at"

    level = LevelFilter(field_name="level")

    class Meta:
        model = Escalation
        fields: list[str] = []
