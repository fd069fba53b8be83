"""The query parameters of the agreement and service lists, parsed and validated by
django-filter."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from agreements.models import Agreement, Service
from common.filters import IdFilter, YesNoFilter


class AgreementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices)
    provider = django_filters.CharFilter(field_name="provider__code", lookup_expr="iexact")
    customer = django_filters.CharFilter(method="serving")
    service = IdFilter(method="covering")

    class Meta:
        model = Agreement
        fields: list[str] = []

    def serving(self, agreements: QuerySet[Agreement], name: str, code: str) -> QuerySet:
        """Company-wide agreements serve every customer."""
        return agreements.filter(Q(customers__code__iexact=code) | Q(all_customers=True)).distinct()

    def covering(self, agreements: QuerySet[Agreement], name: str, service: int) -> QuerySet:
        return agreements.filter(services=service).distinct()


class ServiceFilter(django_filters.FilterSet):
    provider = django_filters.CharFilter(field_name="provider__code", lookup_expr="iexact")
    search = django_filters.CharFilter(method="matching")
    include_inactive = YesNoFilter(method="including_inactive")

    class Meta:
        model = Service
        fields: list[str] = []

    def matching(self, services: QuerySet[Service], name: str, words: str) -> QuerySet:
        return services.filter(
            Q(name__icontains=words)
            | Q(description__icontains=words)
            | Q(provider__name__icontains=words)
        )

    def including_inactive(self, services: QuerySet[Service], name: str, wanted: bool) -> QuerySet:
        return services  # qs leaves inactive services out unless this asks for them

    @property
    def qs(self) -> QuerySet[Service]:
        # Services no longer offered are left out unless asked for.
        services = super().qs
        if not self.form.cleaned_data.get("include_inactive"):
            services = services.active()
        return services
