"""The API's shape of kudos: the body that gives them and the thanks as recorded."""

from __future__ import annotations

from rest_framework import serializers

from tickets.models import KUDOS_MAX_LENGTH, Kudos
from tickets.serializers import StrictBody


class KudosBodySerializer(StrictBody):
    message = serializers.CharField(
        max_length=KUDOS_MAX_LENGTH, help_text="The thanks, plain text (shown as written)."
    )


class KudosSerializer(serializers.ModelSerializer):
    ticket = serializers.IntegerField(source="ticket_id", read_only=True)
    given_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    agent = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="The agent thanked."
    )
    department = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="The provider department thanked."
    )

    class Meta:
        model = Kudos
        fields = ["id", "ticket", "given_by", "agent", "department", "message", "given_at"]
        read_only_fields = fields
