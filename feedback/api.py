"""The REST API of complaints and suggestions, with the pages' permissions: what a person may
not see is 404, a step they may not take 403, a step on something that moved on 409. Who filed
an anonymous one is null for everyone but the complainant and HR."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from feedback import services
from feedback.models.complaints import Feedback, Kind, Status
from feedback.serializers import (
    FeedbackDetailSerializer,
    FeedbackFilingSerializer,
    FeedbackFollowUpSerializer,
    FeedbackResponseSerializer,
    FeedbackSerializer,
)


class FeedbackFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    department = django_filters.CharFilter(
        field_name="department__code", lookup_expr="iexact", max_length=20,
        help_text="The code of the department it is about.",
    )  # fmt: skip
    mine = django_filters.BooleanFilter(method="filter_mine", help_text="Only what I filed.")

    class Meta:
        model = Feedback
        fields = ["status", "kind", "department", "mine"]

    def filter_mine(self, queryset: QuerySet[Feedback], name: str, value: bool | None):
        if value:
            return queryset.filter(complainant=self.request.user)
        return queryset


class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Complaints about requests or departments and suggestions to departments, with their
    response target on the department's business clock and their history."""

    queryset = Feedback.objects.all()
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Feedback]:
        if getattr(self, "swagger_fake_view", False):
            return Feedback.objects.none()
        return (
            Feedback.objects.visible_to(self.request.user)
            .select_related("department", "escalated_to", "complainant", "responded_by")
            .prefetch_related("events__actor")
        )

    def get_serializer_class(self) -> type[Serializer]:
        bodies = {
            "retrieve": FeedbackDetailSerializer,
            "create": FeedbackFilingSerializer,
            "respond": FeedbackResponseSerializer,
            "reopen": FeedbackFollowUpSerializer,
            "escalate": FeedbackFollowUpSerializer,
            "accept": None,
        }
        return bodies.get(self.action) or FeedbackSerializer

    @extend_schema(request=FeedbackFilingSerializer, responses={201: FeedbackDetailSerializer})
    def create(self, request: Request) -> Response:
        """File a complaint (about a request you may see, or a department) or a suggestion."""
        body = self.body()
        feedback = services.feedback_file(by=request.user, **body)
        return self.present(feedback.pk, status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackResponseSerializer, responses={200: FeedbackDetailSerializer})
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str) -> Response:
        """Respond: answered, accepted or declined, with a text (the responding head)."""
        feedback = self.get_object()
        services.feedback_respond(feedback_id=feedback.pk, by=request.user, **self.body())
        return self.present(feedback.pk)

    @extend_schema(request=None, responses={200: FeedbackDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        """Accept the response; it is closed (whoever filed it)."""
        feedback = self.get_object()
        services.feedback_accept(feedback_id=feedback.pk, by=request.user)
        return self.present(feedback.pk)

    @extend_schema(request=FeedbackFollowUpSerializer, responses={200: FeedbackDetailSerializer})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        """Reopen it once, for a new response (whoever filed it)."""
        feedback = self.get_object()
        services.feedback_reopen(feedback_id=feedback.pk, by=request.user, **self.body())
        return self.present(feedback.pk)

    @extend_schema(request=FeedbackFollowUpSerializer, responses={200: FeedbackDetailSerializer})
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: str) -> Response:
        """Escalate it to the nearest common superior's head (whoever filed it)."""
        feedback = self.get_object()
        services.feedback_escalate(feedback_id=feedback.pk, by=request.user, **self.body())
        return self.present(feedback.pk)

    def body(self) -> dict:
        serializer = self.get_serializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def present(self, pk: int, answer: int = status.HTTP_200_OK) -> Response:
        feedback = self.get_queryset().get(pk=pk)
        data = FeedbackDetailSerializer(feedback, context={"request": self.request}).data
        return Response(data, status=answer)
