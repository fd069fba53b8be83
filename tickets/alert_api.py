"""The REST API of what the breach scan records: breaches, warnings and escalations, read only.

Each is visible exactly as the request it belongs to (`Ticket.objects.visible_to`): a breach of
a request the person may not see is a 404, and never listed. Lists are filtered through
tickets.alert_filters (invalid values a 400 with their messages), newest first. /api/breaches/
serves disputes.breach_api's subclass of BreachViewSet, which adds each breach's dispute."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from agreements.serializers import DepartmentSummarySerializer
from common.filters import valid_filters
from tickets.alert_filters import AlertFilter, EscalationFilter
from tickets.models import Breach, Escalation, Target, TargetWarning, Ticket


class AlertTicketSerializer(serializers.ModelSerializer):
    provider = DepartmentSummarySerializer(read_only=True)
    customer = DepartmentSummarySerializer(read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "reference", "title", "provider", "customer"]
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    department = DepartmentSummarySerializer(read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "breach", "level", "department", "escalated_at"]
        read_only_fields = fields


class WarningSerializer(serializers.ModelSerializer):
    request = AlertTicketSerializer(source="ticket", read_only=True)

    class Meta:
        model = TargetWarning
        fields = ["id", "request", "target", "step", "due_at", "detected_at"]
        read_only_fields = fields


class BreachSerializer(serializers.ModelSerializer):
    request = AlertTicketSerializer(source="ticket", read_only=True)
    escalations = EscalationSerializer(many=True, read_only=True)

    class Meta:
        model = Breach
        fields = ["id", "request", "target", "step", "due_at", "detected_at",
                  "escalation_level", "escalate_at", "escalation_ended", "escalations"]  # fmt: skip
        read_only_fields = fields


FILTERS = [
    OpenApiParameter(
        "department", str, description="A department's code: its requests on either side."
    ),
    OpenApiParameter("provider", str, description="The provider department's code."),
    OpenApiParameter("customer", str, description="The customer department's code."),
    OpenApiParameter("target", str, enum=Target.values),
    OpenApiParameter("request", int, description="A request's id."),
]


def period_parameters(moment: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("since", str, description=f"{moment} on or after this day (YYYY-MM-DD)."),
        OpenApiParameter("until", str, description=f"{moment} on or before this day (YYYY-MM-DD)."),
    ]


def _visible_tickets(user) -> QuerySet[Ticket]:
    return Ticket.objects.visible_to(user).values("pk")


class _AlertViewSet(viewsets.ReadOnlyModelViewSet):
    filter_class: type = AlertFilter
    ordering: tuple[str, ...] = ("-detected_at", "-pk")

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list":
            return queryset
        return valid_filters(self.filter_class, self.request, queryset).order_by(*self.ordering)


@extend_schema_view(list=extend_schema(parameters=[*FILTERS, *period_parameters("Detected")]))
class BreachViewSet(_AlertViewSet):
    """Targets missed (first response, resolution, an approval step), each with the heads it
    was escalated to; a breach stays on record when its request is done."""

    serializer_class = BreachSerializer

    def get_queryset(self) -> QuerySet[Breach]:
        if getattr(self, "swagger_fake_view", False):
            return Breach.objects.none()
        return (
            Breach.objects.filter(ticket__in=_visible_tickets(self.request.user))
            .select_related("ticket__provider", "ticket__customer")
            .prefetch_related(
                Prefetch("escalations", Escalation.objects.select_related("department"))
            )
        )


@extend_schema_view(list=extend_schema(parameters=[*FILTERS, *period_parameters("Detected")]))
class WarningViewSet(_AlertViewSet):
    """Targets at risk: the agreement's warning threshold of their time elapsed."""

    serializer_class = WarningSerializer

    def get_queryset(self) -> QuerySet[TargetWarning]:
        if getattr(self, "swagger_fake_view", False):
            return TargetWarning.objects.none()
        return TargetWarning.objects.filter(
            ticket__in=_visible_tickets(self.request.user)
        ).select_related("ticket__provider", "ticket__customer")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *FILTERS,
            *period_parameters("Escalated"),
            OpenApiParameter("level", int, description="2: the provider's parent's head, …"),
        ]
    )
)
class EscalationViewSet(_AlertViewSet):
    """Breaches told one level further up the provider's hierarchy."""

    serializer_class = EscalationSerializer
    filter_class = EscalationFilter
    ordering = ("-escalated_at", "-pk")

    def get_queryset(self) -> QuerySet[Escalation]:
        if getattr(self, "swagger_fake_view", False):
            return Escalation.objects.none()
        return Escalation.objects.filter(
            breach__ticket__in=_visible_tickets(self.request.user)
        ).select_related("department")
