"""The breaches API (/api/breaches/, tickets.alert_api) with the dispute of each breach: whether
it is disputed, the dispute's stage and outcome, and whether the breach was waived; filtered by
them too. Here rather than in tickets because disputes sit above tickets in the app order."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers

from common.filters import YesNoFilter
from disputes.models import Dispute
from tickets.alert_api import FILTERS, BreachSerializer, BreachViewSet, period_parameters
from tickets.alert_filters import AlertFilter
from tickets.models import Breach

WAIVED = Dispute.Outcome.WAIVED


class BreachDisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispute
        fields = ["id", "stage", "outcome", "opened_at", "decided_at"]
        read_only_fields = fields


@extend_schema_serializer(component_name="Breach")
class DisputedBreachSerializer(BreachSerializer):
    disputed = serializers.SerializerMethodField(help_text="Whether a dispute was opened.")
    dispute = serializers.SerializerMethodField(help_text="Empty while it is not disputed.")
    waived = serializers.SerializerMethodField(
        help_text="Waived by its dispute: on record, out of the compliance figures."
    )

    class Meta(BreachSerializer.Meta):
        fields = [*BreachSerializer.Meta.fields, "disputed", "dispute", "waived"]
        read_only_fields = fields

    def get_disputed(self, breach: Breach) -> bool:
        return _dispute_of(breach) is not None

    @extend_schema_field(BreachDisputeSerializer(allow_null=True))
    def get_dispute(self, breach: Breach) -> dict | None:
        dispute = _dispute_of(breach)
        return None if dispute is None else BreachDisputeSerializer(dispute).data

    def get_waived(self, breach: Breach) -> bool:
        dispute = _dispute_of(breach)
        return dispute is not None and dispute.outcome == WAIVED


def _dispute_of(breach: Breach) -> Dispute | None:
    # A breach without a dispute raises on the reverse one-to-one, even when selected.
    return getattr(breach, "dispute", None)


class DisputedBreachFilter(AlertFilter):
    """The breaches' filters, and their disputes': disputed or not, the dispute's stage and
    outcome, waived or not."""

    disputed = YesNoFilter(method="by_disputed")
    dispute_stage = django_filters.ChoiceFilter(
        field_name="dispute__stage", choices=Dispute.Stage.choices
    )
    dispute_outcome = django_filters.ChoiceFilter(
        field_name="dispute__outcome", choices=Dispute.Outcome.choices
    )
    waived = YesNoFilter(method="by_waived")

    def by_disputed(self, rows: QuerySet, name: str, disputed: bool) -> QuerySet:
        return rows.filter(dispute__isnull=not disputed)

    def by_waived(self, rows: QuerySet, name: str, waived: bool) -> QuerySet:
        if waived:
            return rows.filter(dispute__outcome=WAIVED)
        return rows.exclude(dispute__outcome=WAIVED)


DISPUTE_FILTERS = [
    OpenApiParameter("disputed", bool, description="Only the breaches disputed (true) or not."),
    OpenApiParameter("dispute_stage", str, enum=Dispute.Stage.values),
    OpenApiParameter("dispute_outcome", str, enum=Dispute.Outcome.values),
    OpenApiParameter("waived", bool, description="Only the breaches waived (true) or not."),
]


@extend_schema_view(
    list=extend_schema(parameters=[*FILTERS, *period_parameters("Detected"), *DISPUTE_FILTERS])
)
class DisputedBreachViewSet(BreachViewSet):
    """Targets missed (first response, resolution, an approval step), each with the heads it
    was escalated to and its dispute, if any; a breach stays on record when its request is
    done, and when its dispute waived it."""

    serializer_class = DisputedBreachSerializer
    filter_class = DisputedBreachFilter

    def get_queryset(self) -> QuerySet[Breach]:
        return super().get_queryset().select_related("dispute")
