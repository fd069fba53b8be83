"""Bodies and answers of the queue's API actions: taking a request, and bulk actions."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agreements.models import Priority
from common.filters import LARGEST_ID
from tickets.queue_forms import BULK_LIMIT, BulkActionForm
from tickets.serializers import PersonField, StrictBody


class BulkRowSerializer(StrictBody):
    id = serializers.IntegerField(min_value=1, max_value=LARGEST_ID)
    version = serializers.IntegerField(
        min_value=0, help_text="The request's version you read; a stale one is not changed."
    )


class BulkActionSerializer(StrictBody):
    tickets = serializers.ListField(child=BulkRowSerializer(), min_length=1, max_length=BULK_LIMIT)
    action = serializers.ChoiceField(choices=[value for value, _label in BulkActionForm.ACTIONS])
    assignee = PersonField(
        required=False,
        allow_null=True,
        help_text="For assign: the username of an agent of the provider; null to unassign.",
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text="For priority: the new priority."
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["action"] == "assign" and "assignee" not in attrs:
            raise serializers.ValidationError({"assignee": [_("Choose who gets the requests.")]})
        if attrs["action"] == "priority" and "priority" not in attrs:
            raise serializers.ValidationError({"priority": [_("Choose the new priority.")]})
        return attrs


class BulkOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="ticket_id")
    reference = serializers.CharField(help_text="Empty for a request you may not see.")
    done = serializers.BooleanField()
    detail = serializers.CharField(source="problem", help_text="Why it was not done.")


class TakeSerializer(StrictBody):
    version = serializers.IntegerField(
        min_value=0, help_text="The request's version you read; a stale one is refused with 409."
    )
