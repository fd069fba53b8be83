"""The REST API of recognition: cycles (HR creates and publishes them; everyone reads the
published ones), their candidates (HR only) and awards (HR picks them; everyone reads those of
published cycles, with a person's figures only for them, their heads and HR).

A draft cycle, or an award of one, is a 404 to whoever is not HR; a published cycle's
candidates are a 403 to them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ErrorSerializer
from recognition import candidates, selectors, services
from recognition.access import may_run_cycles
from recognition.models import Award, Cycle
from recognition.serializers import (
    AwardBodySerializer,
    AwardSerializer,
    CandidatesSerializer,
    CycleBodySerializer,
    CycleSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused, or invalid fields."),
    403: OpenApiResponse(ErrorSerializer, description="Only HR does this."),
    404: OpenApiResponse(ErrorSerializer, description="No such cycle visible to the person."),
}
ONLY_HR = _("Only HR runs recognition cycles.")


def _body(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    create=extend_schema(request=CycleBodySerializer, responses={201: CycleSerializer, **ERRORS}),
    retrieve=extend_schema(responses={200: CycleSerializer, 404: ERRORS[404]}),
)
class CycleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recognition cycles: every one for HR, the published ones for everyone else."""

    serializer_class = CycleSerializer

    def get_queryset(self) -> QuerySet[Cycle]:
        if getattr(self, "swagger_fake_view", False):
            return Cycle.objects.none()
        return selectors.cycles_visible_to(self.request.user).order_by("-ends_on", "-pk")

    def get_serializer_class(self):
        return CycleBodySerializer if self.action == "create" else CycleSerializer

    def create(self, request: Request) -> Response:
        """Open a draft cycle over a period (HR)."""
        cycle = services.cycle_create(by=request.user, **_body(CycleBodySerializer, request))
        return Response(CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: CycleSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Publish a draft cycle with at least one award (HR)."""
        cycle = self.get_object()
        cycle = services.cycle_publish(cycle_id=cycle.pk, by=request.user)
        return Response(CycleSerializer(cycle).data)

    @extend_schema(responses={200: CandidatesSerializer, 403: ERRORS[403], 404: ERRORS[404]})
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request: Request, pk: str) -> Response:
        """The departments (scorecard order, with their kudos) and the people thanked in the
        cycle's period, with their figures (HR only)."""
        cycle = self.get_object()
        if not may_run_cycles(request.user):
            raise PermissionDenied(ONLY_HR)
        data = {
            "departments": candidates.department_candidates(cycle, timezone.now()),
            "people": candidates.person_candidates(cycle),
        }
        return Response(CandidatesSerializer(data).data)


@extend_schema_view(
    create=extend_schema(request=AwardBodySerializer, responses={201: AwardSerializer, **ERRORS}),
    retrieve=extend_schema(responses={200: AwardSerializer, 404: ERRORS[404]}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class AwardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Awards: those of every cycle for HR, of published cycles for everyone else."""

    serializer_class = AwardSerializer

    def get_queryset(self) -> QuerySet[Award]:
        if getattr(self, "swagger_fake_view", False):
            return Award.objects.none()
        cycles = selectors.cycles_visible_to(self.request.user)
        return (
            Award.objects.filter(cycle__in=cycles)
            .select_related("department", "person")
            .order_by("-cycle__ends_on", "cycle", "pk")
        )

    def get_serializer_class(self):
        return AwardBodySerializer if self.action == "create" else AwardSerializer

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        awards = selectors.with_figures_for(request.user, page)
        return self.get_paginated_response(AwardSerializer(awards, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        [award] = selectors.with_figures_for(request.user, [self.get_object()])
        return Response(AwardSerializer(award).data)

    def create(self, request: Request) -> Response:
        """Give an award of a draft cycle to a department or a person, with a reason (HR)."""
        if not may_run_cycles(request.user):
            raise PermissionDenied(ONLY_HR)
        body = _body(AwardBodySerializer, request)
        cycle = body.pop("cycle")
        award = services.award_add(cycle_id=cycle.pk, by=request.user, **body)
        [award] = selectors.with_figures_for(request.user, [award])
        return Response(AwardSerializer(award).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        """Withdraw an award of a draft cycle (HR)."""
        award = self.get_object()
        services.award_withdraw(award_id=award.pk, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
