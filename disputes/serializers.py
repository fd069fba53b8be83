"""The API's representation of disputes, and the bodies of opening and deciding one."""

from __future__ import annotations

from rest_framework import serializers

from disputes.forms import TEXT_MAX
from disputes.models import Dispute, DisputeStep, Reason
from tickets.models import Breach
from tickets.serializers import PersonField, StrictBody


class DisputeStepSerializer(serializers.ModelSerializer):
    actor = PersonField(read_only=True, allow_null=True, help_text="Empty: a window lapsed.")
    on_behalf_of = PersonField(
        read_only=True,
        allow_null=True,
        help_text="The person asked, when their delegate (the actor) decided for them.",
    )
    asked = PersonField(
        read_only=True, allow_null=True, help_text="Who was asked to decide after this step."
    )

    class Meta:
        model = DisputeStep
        fields = ["action", "actor", "on_behalf_of", "at", "text", "asked"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="breach.target", read_only=True)
    breach_due_at = serializers.DateTimeField(source="breach.due_at", read_only=True)
    ticket_reference = serializers.CharField(source="ticket.reference", read_only=True)
    provider = serializers.CharField(source="provider.code", read_only=True)
    customer = serializers.CharField(source="customer.code", read_only=True)
    opened_by = PersonField(read_only=True)
    decider = PersonField(
        read_only=True,
        allow_null=True,
        help_text="Who decides now; empty on an open dispute: an administrator.",
    )
    steps = DisputeStepSerializer(many=True, read_only=True)

    class Meta:
        model = Dispute
        fields = ["id", "breach", "target", "breach_due_at", "ticket", "ticket_reference",
                  "provider", "customer", "reason", "text", "opened_by", "opened_at", "stage",
                  "decider", "due_at", "outcome", "decided_at", "version", "steps"]  # fmt: skip
        read_only_fields = fields


class OpenDisputeSerializer(StrictBody):
    breach = serializers.PrimaryKeyRelatedField(
        queryset=Breach.objects.all(), help_text="The id of a breach of the request's targets."
    )
    reason = serializers.ChoiceField(choices=Reason.choices)
    text = serializers.CharField(max_length=TEXT_MAX)


class DecideDisputeSerializer(StrictBody):
    decision = serializers.ChoiceField(
        choices=[("waive", "Waive the breach"), ("uphold", "Let the breach stand")]
    )
    comment = serializers.CharField(max_length=TEXT_MAX)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The dispute's version as read; a stale one is refused with 409.",
    )
