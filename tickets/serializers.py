"""Serializers of the requests API: requests with their clock, approvals, timeline and files, and
the bodies of the operations on them.

People are written and read as usernames; departments are read as {id, code, name} and written
as their code ("SALES"); services are read as {id, name} and written as ids. A body that carries a
field the operation does not know is refused (400 on that field), so that a typo is not ignored.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.models import Priority, Service
from agreements.serializers import (
    DepartmentField,
    DepartmentSummarySerializer,
    ServiceSummarySerializer,
)
from departments.models import Department
from tickets import selectors
from tickets.answers import clean_answers
from tickets.conversation import COMMENT_FILES_MAX
from tickets.forms import validate_upload
from tickets.hand_offs import children_seen
from tickets.models import (
    ATTACHMENT_EXTENSIONS,
    ATTACHMENT_MAX_BYTES,
    Approval,
    Attachment,
    Event,
    Link,
    Status,
    Ticket,
)
from tickets.workflow import Action, Role, allowed_actions

# Enums named once in the schema, whatever the field carrying them is called (drf-spectacular
# names an enum after its field, and `status` is also an agreement's).


@extend_schema_field({"type": "string", "enum": Status.values}, component_name="TicketStatusEnum")
class StatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Status.choices, **kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None  # a timeline event that changed no status


@extend_schema_field({"type": "string", "enum": Action.values}, component_name="TicketActionEnum")
class ActionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Action.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": Approval.Decision.values}, component_name="ApprovalDecisionEnum"
)
class DecisionField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Approval.Decision.choices, **kwargs)

    def to_representation(self, value: str) -> str | None:
        return value or None  # not decided yet


class RefusesNulCharacters:
    """A field looked up in the database, which refuses NUL characters (PostgreSQL would fail on
    them instead of finding nothing)."""

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(ProhibitNullCharactersValidator.message)
        return super().to_internal_value(data)


class CustomerField(RefusesNulCharacters, DepartmentField):
    pass


class PersonField(RefusesNulCharacters, serializers.SlugRelatedField):
    """A person, by username."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "A username.")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", get_user_model().objects.filter(is_active=True))
        super().__init__(slug_field="username", **kwargs)


# A request body that refuses fields it does not know.
class StrictBody(serializers.Serializer):
    def to_internal_value(self, data: object) -> dict:
        if isinstance(data, Mapping):
            # The browsable API's forms send their CSRF token along.
            unknown = sorted(set(data) - set(self.fields) - {"csrfmiddlewaretoken"})
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


# Reading requests


class EventSerializer(serializers.ModelSerializer):
    actor = PersonField(read_only=True, allow_null=True)
    from_status = StatusField(read_only=True, allow_null=True)
    to_status = StatusField(read_only=True, allow_null=True)
    internal = serializers.BooleanField(
        source="is_internal", read_only=True, help_text="An internal note of the provider."
    )

    class Meta:
        model = Event
        fields = ["id", "kind", "actor", "at", "from_status", "to_status", "text", "internal"]
        read_only_fields = fields


class TicketApprovalSerializer(serializers.ModelSerializer):
    """A step of a request's approval chain."""

    approver = PersonField(read_only=True)
    decided_by = PersonField(read_only=True, allow_null=True)
    decision = DecisionField(read_only=True, allow_null=True)
    window = serializers.DurationField(
        format="iso-8601", read_only=True, allow_null=True, help_text="Working time, ISO 8601."
    )
    is_current = serializers.BooleanField(read_only=True, help_text="The step awaiting decision.")

    class Meta:
        model = Approval
        fields = [
            "id",
            "position",
            "stage",
            "group_rule",
            "approver",
            "description",
            "window",
            "current_since",
            "due_at",
            "is_current",
            "decision",
            "decided_by",
            "decided_at",
            "comment",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = PersonField(read_only=True)
    download = serializers.SerializerMethodField(help_text="Where to download the file.")

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "uploaded_by", "uploaded_at", "download"]
        read_only_fields = fields

    def get_download(self, attachment: Attachment) -> str:
        path = reverse("api:ticket-attachment", args=[attachment.ticket_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class TicketSerializer(serializers.ModelSerializer):
    """A request as lists show it: who, what, where it stands and its clock."""

    status = StatusField(read_only=True)
    service = ServiceSummarySerializer(read_only=True)
    provider = DepartmentSummarySerializer(read_only=True)
    customer = DepartmentSummarySerializer(read_only=True)
    requester = PersonField(read_only=True)
    assignee = PersonField(read_only=True, allow_null=True)
    resolved_by = PersonField(
        read_only=True, allow_null=True, help_text="Who resolved it; null while unresolved."
    )
    version = serializers.IntegerField(
        read_only=True,
        help_text="Bumped on every change. An operation sends the version it read; a stale "
        "one is refused with 409.",
    )
    agreement_version = serializers.IntegerField(
        source="agreement.version",
        read_only=True,
        allow_null=True,
        help_text="The version of the agreement pinned when the request was filed.",
    )
    next_due_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="The earliest due time of an open request's unmet targets.",
    )
    first_response_met = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Null while running or without an agreement."
    )
    resolution_met = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Null while running or without an agreement."
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "title",
            "status",
            "priority",
            "service",
            "provider",
            "customer",
            "requester",
            "assignee",
            "version",
            "agreement",
            "agreement_version",
            "filed_at",
            "next_due_at",
            "first_response_due_at",
            "first_responded_at",
            "first_response_met",
            "resolution_due_at",
            "resolved_at",
            "resolved_by",
            "resolution_met",
            "paused_at",
            "confirm_due_at",
            "confirmed_at",
            "confirmed_automatically",
            "closed_at",
            "rating",
            "parent",
            "detached_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "agreement": {"help_text": "The agreement version pinned at filing."},
            "confirm_due_at": {
                "help_text": "While resolved: when the request confirms itself unless its "
                "requester confirms or reopens it first."
            },
            "confirmed_automatically": {
                "help_text": "Confirmed at the end of the agreement's confirmation period, "
                "without a rating."
            },
            "parent": {
                "help_text": "A hand-off: the id of the request it was opened for (readable only "
                "by those who may see that request)."
            },
        }


class ChildSerializer(serializers.Serializer):
    """A hand-off as its parent shows it: whoever sees the parent sees what it waits on."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = StatusField(read_only=True)
    provider = DepartmentSummarySerializer(read_only=True)
    next_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    paused = serializers.BooleanField(read_only=True, help_text="Its clock waits.")
    detached_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="No longer waited on, since then."
    )
    visible = serializers.BooleanField(
        read_only=True, help_text="Whether the reader may open it (GET /api/tickets/{id}/)."
    )

    def to_representation(self, row) -> dict:
        child = row.ticket
        return {
            "id": child.pk,
            "reference": child.reference,
            "title": child.title,
            "status": child.status,
            "provider": DepartmentSummarySerializer(child.provider).data,
            "next_due_at": serializers.DateTimeField().to_representation(child.next_due_at)
            if child.next_due_at
            else None,
            "paused": child.paused_at is not None,
            "detached_at": serializers.DateTimeField().to_representation(child.detached_at)
            if child.detached_at
            else None,
            "visible": row.linked,
        }


@extend_schema_field(
    {"type": "string", "enum": list(selectors.WAITING_ON.values())}, component_name="TicketWaitEnum"
)
class WaitField(serializers.CharField):
    pass


class WaitSerializer(serializers.Serializer):
    """Something the clock of a request waits on, and since when."""

    on = WaitField(
        read_only=True,
        help_text="`requester`: its answer to a question; `hand_off`: a hand-off to another "
        "department (when the request's agreement pauses for them).",
    )
    since = serializers.DateTimeField(read_only=True)


class TicketDetailSerializer(TicketSerializer):
    """A request with its answers, approvals, files and timeline, and what the person reading
    it may do now. Internal notes are shown to the provider's agents only."""

    approvals = TicketApprovalSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField(
        help_text="The files the reader may see (those of internal notes: the agents only)."
    )
    events = serializers.SerializerMethodField(help_text="The timeline, oldest first.")
    roles = serializers.SerializerMethodField(help_text="The reader's roles on this request.")
    actions = serializers.SerializerMethodField(
        help_text="The steps of the life cycle the reader may take now (approve and reject go "
        "through /api/approvals/)."
    )
    children = serializers.SerializerMethodField(
        help_text="Its hand-offs, oldest first (GET/POST /api/tickets/{id}/children/)."
    )
    waiting_on = serializers.SerializerMethodField(
        help_text="What its clock waits on now, the longest-waited first: its requester, a "
        "hand-off, both, or nothing."
    )

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "answers",
            "rating_comment",
            "resolution_started_at",
            "approvals",
            "attachments",
            "events",
            "roles",
            "actions",
            "children",
            "waiting_on",
        ]

    @extend_schema_field(WaitSerializer(many=True))
    def get_waiting_on(self, ticket: Ticket) -> list[dict]:
        waits = selectors.waiting_on(ticket)
        return WaitSerializer([{"on": on, "since": at} for on, at in waits.items()], many=True).data

    @extend_schema_field(ChildSerializer(many=True))
    def get_children(self, ticket: Ticket) -> list[dict]:
        return ChildSerializer(children_seen(ticket, self.context["request"].user), many=True).data

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, ticket: Ticket) -> list[dict]:
        agent = Role.AGENT in self.context["roles"]
        files = [
            attachment
            for attachment in ticket.attachments.all()
            if agent
            or not hasattr(attachment, "comment_file")
            or not attachment.comment_file.comment.is_internal
        ]
        return AttachmentSerializer(files, many=True, context=self.context).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, ticket: Ticket) -> list[dict]:
        return EventSerializer(timeline(ticket, self.context["roles"]), many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(Role))))
    def get_roles(self, ticket: Ticket) -> list[str]:
        return sorted(self.context["roles"])

    @extend_schema_field(serializers.ListField(child=ActionField()))
    def get_actions(self, ticket: Ticket) -> list[str]:
        return allowed_actions(ticket.status, self.context["roles"])


def timeline(ticket: Ticket, roles: set[Role], kinds: list[str] | None = None):
    """The events of `ticket` that someone with `roles` sees, oldest first."""
    events = ticket.events.select_related("actor")
    if Role.AGENT not in roles:
        events = events.filter(is_internal=False)
    if kinds is not None:
        events = events.filter(kind__in=kinds)
    return events


class TicketSummarySerializer(serializers.ModelSerializer):
    status = StatusField(read_only=True)
    service = ServiceSummarySerializer(read_only=True)
    customer = DepartmentSummarySerializer(read_only=True)
    requester = PersonField(read_only=True)

    class Meta:
        model = Ticket
        fields = ["id", "reference", "title", "status", "priority", "service", "customer",
                  "requester", "filed_at"]  # fmt: skip
        read_only_fields = fields


class ApprovalSerializer(TicketApprovalSerializer):
    """A step awaiting the reader's decision (or that of someone they stand in for)."""

    ticket = TicketSummarySerializer(read_only=True)

    class Meta(TicketApprovalSerializer.Meta):
        fields = [*TicketApprovalSerializer.Meta.fields, "ticket"]


# Operations


class FilingSerializer(StrictBody):
    """A new request on a service of the catalogue."""

    service = serializers.PrimaryKeyRelatedField(
        queryset=Service.objects.select_related("provider"), help_text="The service's id."
    )
    customer = CustomerField(
        required=False,
        help_text="The code of the department filing; may be left out by someone who belongs "
        "to one department only.",
    )
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="")
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, help_text="The service's default if left out."
    )
    answers = serializers.DictField(
        default=dict,
        help_text="The answers to the service's form, by field name (see `form_fields` of the "
        "service); a file question is answered with the name of a file attached later.",
    )

    def validate_service(self, service: Service) -> Service:
        if not service.is_active:
            raise serializers.ValidationError(_("This service is no longer offered."))
        return service

    def validate(self, attrs: dict) -> dict:
        user = self.context["request"].user
        departments = list(Department.objects.current().filter(memberships__user=user))
        if not departments:
            raise PermissionDenied(_("You can file requests only for a department you belong to."))
        customer = attrs.get("customer")
        if customer is None and len(departments) > 1:
            raise serializers.ValidationError(
                {"customer": _("You belong to several departments: say which one files this.")}
            )
        if customer is None and departments:
            attrs["customer"] = departments[0]
        elif customer is not None and customer not in departments:
            raise serializers.ValidationError(
                {"customer": _("You can file requests only for a department you belong to.")}
            )
        return _with_valid_answers(attrs)


def _with_valid_answers(attrs: dict) -> dict:
    """`attrs` once its answers pass the service's form (400 on "answers" otherwise)."""
    if nul := [name for name, value in attrs["answers"].items() if "\x00" in str(value)]:
        # PostgreSQL refuses them in JSON.
        message = ProhibitNullCharactersValidator.message
        raise serializers.ValidationError({"answers": {name: [message] for name in nul}})
    try:
        clean_answers(attrs["service"].form_fields, attrs["answers"])
    except DjangoValidationError as error:
        raise serializers.ValidationError({"answers": error.message_dict}) from error
    return attrs


class HandOffSerializer(FilingSerializer):
    """A hand-off: a request on another department's service, filed by the parent's provider
    (its department is the customer, so none is named)."""

    customer = None

    def validate(self, attrs: dict) -> dict:
        return _with_valid_answers(attrs)


class DetachSerializer(StrictBody):
    child = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the hand-off to detach."
    )


class VersionedBody(StrictBody):
    version = serializers.IntegerField(
        min_value=0, help_text="The request's version you read; a stale one is refused with 409."
    )


class TransitionSerializer(VersionedBody):
    comment = serializers.CharField(
        allow_blank=True, default="", help_text="Shown on the timeline (the question, for ask)."
    )


class ConfirmationSerializer(VersionedBody):
    rating = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    comment = serializers.CharField(
        allow_blank=True, default="", help_text="A comment on the service, with the rating."
    )


class AssignmentSerializer(VersionedBody):
    assignee = PersonField(
        allow_null=True,
        help_text="The username of an agent of the provider; null to unassign.",
    )


class PriorityChangeSerializer(VersionedBody):
    priority = serializers.ChoiceField(choices=Priority.choices)


class CommentSerializer(StrictBody):
    text = serializers.CharField()
    internal = serializers.BooleanField(
        default=False, help_text="An internal note, seen by the provider's agents only."
    )
    files = serializers.ListField(
        child=serializers.FileField(validators=[validate_upload]),
        required=False,
        max_length=COMMENT_FILES_MAX,
        help_text=f"Up to {COMMENT_FILES_MAX} files (multipart), each as an attachment.",
    )


class WatchSerializer(StrictBody):
    watch = serializers.BooleanField(
        write_only=True, help_text="True to start watching, false to stop."
    )
    watching = serializers.BooleanField(read_only=True, help_text="Whether one watches it now.")


@extend_schema_field({"type": "string", "enum": Link.Kind.values}, component_name="LinkKindEnum")
class LinkKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Link.Kind.choices, **kwargs)


class LinkBodySerializer(StrictBody):
    other = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The id of the other request."
    )
    kind = LinkKindField()


class LinkSerializer(serializers.Serializer):
    """A link of the request to another one the reader may see."""

    id = serializers.IntegerField(read_only=True)
    kind = LinkKindField(read_only=True)
    direction = serializers.ChoiceField(
        choices=["out", "in"],
        read_only=True,
        help_text='"out": this request is related to / a duplicate of the other; "in": the '
        "other is related to / a duplicate of this one.",
    )
    request = TicketSummarySerializer(read_only=True)

    def to_representation(self, row: dict) -> dict:
        link = row["link"]
        return {
            "id": link.pk,
            "kind": link.kind,
            "direction": "out" if row["outgoing"] else "in",
            "request": TicketSummarySerializer(row["other"]).data,
        }


class DecisionSerializer(StrictBody):
    comment = serializers.CharField(allow_blank=True, default="")


class ApprovalRejectionSerializer(DecisionSerializer):
    comment = serializers.CharField(
        allow_blank=True, help_text="Why the request is rejected; the requester reads it."
    )


class UploadSerializer(StrictBody):
    file = serializers.FileField(
        validators=[validate_upload],
        help_text=f"Up to {ATTACHMENT_MAX_BYTES // 2**20} MB, of type "
        + ", ".join(ATTACHMENT_EXTENSIONS)
        + ".",
    )
