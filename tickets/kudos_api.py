"""GET /api/kudos/: the caller's own kudos, received (as the agent thanked) and given, newest
first; `?direction=received` or `given` narrows them. Nobody reads another person's."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from tickets.kudos_serializers import KudosSerializer
from tickets.models import Kudos
from tickets.my_kudos import GIVEN, RECEIVED, MyKudosFilter, kudos_of, with_visible_requests


class MyKudosSerializer(KudosSerializer):
    direction = serializers.ChoiceField(
        choices=[RECEIVED, GIVEN], read_only=True, help_text="Received or given by the caller."
    )
    request = serializers.SerializerMethodField(
        help_text="The request thanked for; null when the caller may no longer see it."
    )

    class Meta(KudosSerializer.Meta):
        fields = [*KudosSerializer.Meta.fields, "direction", "request"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"type": "integer"},
                "number": {"type": "string"},
                "title": {"type": "string"},
            },
        }
    )
    def get_request(self, kudos: Kudos) -> dict | None:
        if not kudos.request_visible:
            return None
        ticket = kudos.ticket
        return {"id": ticket.pk, "number": ticket.reference, "title": ticket.title}


class MyKudosViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's kudos, received and given, newest first."""

    serializer_class = MyKudosSerializer
    filterset_class = MyKudosFilter

    def get_queryset(self) -> QuerySet[Kudos]:
        if getattr(self, "swagger_fake_view", False):
            return Kudos.objects.none()
        return kudos_of(self.request.user)

    def list(self, request: Request) -> Response:
        kudos = self.filter_queryset(self.get_queryset())
        page = with_visible_requests(request.user, self.paginate_queryset(kudos))
        return self.get_paginated_response(MyKudosSerializer(page, many=True).data)
