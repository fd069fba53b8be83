"""The REST representation of complaints and suggestions. Who filed one is read through
`Feedback.complainant_for(viewer)`: null when it is anonymous towards the viewer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from departments.models import Department
from feedback.models.complaints import Feedback, FeedbackEvent, Kind, Outcome, Status
from tickets.models import Ticket
from tickets.serializers import PersonField, StrictBody


@extend_schema_field({"type": "string", "enum": Status.values}, component_name="FeedbackStatusEnum")
class StatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Status.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": Kind.values}, component_name="FeedbackKindEnum")
class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Kind.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": Outcome.values}, component_name="FeedbackOutcomeEnum"
)
class OutcomeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Outcome.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": FeedbackEvent.Action.values},
    component_name="FeedbackEventActionEnum",
)
class EventActionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=FeedbackEvent.Action.choices, **kwargs)


class FeedbackEventSerializer(serializers.ModelSerializer):
    action = EventActionField(read_only=True)
    actor = serializers.SerializerMethodField(help_text="A username; null when anonymous.")

    class Meta:
        model = FeedbackEvent
        fields = ["id", "action", "actor", "round", "at", "text"]
        read_only_fields = fields

    def get_actor(self, event: FeedbackEvent) -> str | None:
        if event.actor is None:
            return None
        feedback = event.feedback
        if event.actor_id == feedback.complainant_id:
            shown = feedback.complainant_for(self.context["request"].user)
            return shown.get_username() if shown else None
        return event.actor.get_username()


class FeedbackSerializer(serializers.ModelSerializer):
    kind = KindField(read_only=True)
    status = StatusField(read_only=True)
    outcome = serializers.SerializerMethodField()
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    escalated_to = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    complainant = serializers.SerializerMethodField(
        help_text="Who filed it (a username); null when it is anonymous towards you."
    )
    responded_by = PersonField(read_only=True, allow_null=True)

    class Meta:
        model = Feedback
        fields = ["id", "reference", "kind", "department", "ticket", "complainant", "anonymous",
                  "subject", "text", "status", "outcome", "response", "responded_at",
                  "responded_by", "filed_at", "round", "response_due_at", "warned_at",
                  "breached_at", "reopened_at", "escalated_to", "escalated_at",
                  "closed_at"]  # fmt: skip
        read_only_fields = fields

    # No enum here: a second, nullable enum of the same values would collide with
    # FeedbackOutcomeEnum in the schema's component names.
    @extend_schema_field(
        {"type": "string", "nullable": True,
         "description": f"One of {', '.join(Outcome.values)}; null until responded to."}
    )  # fmt: skip
    def get_outcome(self, feedback: Feedback) -> str | None:
        return feedback.outcome or None

    def get_complainant(self, feedback: Feedback) -> str | None:
        shown = feedback.complainant_for(self.context["request"].user)
        return shown.get_username() if shown else None


class FeedbackDetailSerializer(FeedbackSerializer):
    events = FeedbackEventSerializer(many=True, read_only=True)

    class Meta(FeedbackSerializer.Meta):
        fields = [*FeedbackSerializer.Meta.fields, "events"]
        read_only_fields = fields


class FeedbackFilingSerializer(StrictBody):
    kind = KindField()
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.current(),
        required=False,
        help_text="The code of the department it is about (not needed with `ticket`).",
    )
    ticket = serializers.PrimaryKeyRelatedField(
        queryset=Ticket.objects.none(),
        required=False,
        help_text="The id of a request you may see: a complaint about it.",
    )
    subject = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=5000)
    anonymous = serializers.BooleanField(default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["ticket"].queryset = Ticket.objects.visible_to(request.user)


class FeedbackResponseSerializer(StrictBody):
    outcome = OutcomeField()
    response = serializers.CharField(max_length=5000)


class FeedbackFollowUpSerializer(StrictBody):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
