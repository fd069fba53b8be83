"""The REST API of disputes: list, read, open, decide. Every operation goes through
disputes.services; what the pages refuse, the API refuses the same way:

- 404: a dispute (or a breach) the person may not see (disputes.models.DisputeQuerySet);
- 403 {"detail": …}: they see it, but may not open or decide it (the reason says who may);
- 409 {"detail": …}: the dispute was decided or moved on meanwhile, or the breach is already
  disputed;
- 400 {"detail": …, "field": [...]}: invalid fields."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.api import ErrorSerializer
from disputes import selectors, services
from disputes.filters import DisputeFilter
from disputes.models import Dispute
from disputes.serializers import (
    DecideDisputeSerializer,
    DisputeSerializer,
    OpenDisputeSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Refused, or invalid fields."),
    403: OpenApiResponse(ErrorSerializer, description="The person may not take this step."),
    404: OpenApiResponse(ErrorSerializer, description="No such dispute or breach visible."),
    409: OpenApiResponse(ErrorSerializer, description="Decided or moved on meanwhile."),
}


class DisputeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Disputes of breaches (PRODUCT.md, rule 9), newest first."""

    serializer_class = DisputeSerializer
    filterset_class = DisputeFilter
    bodies = {"create": OpenDisputeSerializer, "decide": DecideDisputeSerializer}

    def get_serializer_class(self):
        return self.bodies.get(self.action, DisputeSerializer)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Dispute.objects.none()
        return selectors.disputes_seen_by(self.request.user).prefetch_related(
            "steps__actor", "steps__on_behalf_of", "steps__asked"
        )

    @extend_schema(request=OpenDisputeSerializer, responses={201: DisputeSerializer, **ERRORS})
    def create(self, request: Request) -> Response:
        """Dispute a breach of a request's first response or resolution (the provider's head);
        the customer's head is asked to decide within the agreement's dispute window."""
        body = OpenDisputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        breach = selectors.breach_seen_by(request.user, body.validated_data["breach"].pk)
        if breach is None:
            raise Http404
        dispute = services.dispute_open(
            breach_id=breach.pk,
            by=request.user,
            reason=body.validated_data["reason"],
            text=body.validated_data["text"],
        )
        return self._answer(dispute, status.HTTP_201_CREATED)

    @extend_schema(request=DecideDisputeSerializer, responses={200: DisputeSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        """Waive the breach or let it stand (the person the dispute waits on, or their delegate
        in force, on their behalf). The customer's head letting it stand sends it to the
        nearest head above both departments."""
        dispute = self.get_object()
        body = DecideDisputeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dispute_decide(
            dispute_id=dispute.pk,
            by=request.user,
            waive=body.validated_data["decision"] == "waive",
            comment=body.validated_data["comment"],
            expected_version=body.validated_data.get("version"),
        )
        return self._answer(dispute)

    def _answer(self, dispute: Dispute, answer: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=dispute.pk)
        return Response(DisputeSerializer(fresh).data, status=answer)
