"""Serializers of the agreements API: business calendars, the service catalogue and agreements.

Departments are written as their code ("FIN") and read as {id, code, name}; services in an
agreement are written as ids and read as {id, name}; durations are ISO 8601 ("PT4H") both ways.
"""

from collections import Counter
from copy import copy
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements import services
from agreements.conditions import Operator
from agreements.form_schema import validate_form_schema
from agreements.models import (
    Agreement,
    AgreementEvent,
    AgreementTarget,
    ApprovalStep,
    ApprovalWindow,
    BusinessCalendar,
    CalendarClosure,
    CalendarDay,
    Service,
    SignOff,
)
from agreements.models.agreement import validate_working_duration
from agreements.models.catalogue import validate_approval_chain
from agreements.weekly_hours import WEEKDAYS
from common.api import model_errors
from departments.models import Department

ACTIONS = ["edit", "propose", "withdraw", "accept", "reject", "new_version"]


class DepartmentSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class ServiceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "name"]


class _ReadAsSummary:
    """A related field written as a key and read as a small object (`summary`)."""

    summary: type[serializers.Serializer]
    request_type: str  # of the key, in the OpenAPI schema

    def to_representation(self, value: Model) -> dict:
        return self.summary(value).data

    def get_choices(self, cutoff: int | None = None) -> dict:
        # The browsable API keys its choices by representation, which must then be hashable.
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {self.key_of(item): str(item) for item in queryset}


class DepartmentField(_ReadAsSummary, serializers.SlugRelatedField):
    """A department: its code on the way in, {id, code, name} on the way out."""

    summary = DepartmentSummarySerializer
    request_type = "string"
    default_error_messages = {
        "does_not_exist": _("No department has the code “{value}”."),
        "invalid": _("Give a department code, such as FIN."),
    }

    def __init__(self, **kwargs):
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Department.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: object) -> Department:
        # PostgreSQL refuses a NUL in any text it compares with: no code has one.
        if not isinstance(data, str) or not data.strip() or "\x00" in data:
            self.fail("invalid")
        department = self.get_queryset().filter(code__iexact=data.strip()).first()
        if department is None:
            self.fail("does_not_exist", value=data)
        return department

    def key_of(self, department: Department) -> str:
        return department.code


class ServiceRefField(_ReadAsSummary, serializers.PrimaryKeyRelatedField):
    """A service: its id on the way in, {id, name} on the way out."""

    summary = ServiceSummarySerializer
    request_type = "integer"

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Service.objects.all())
        super().__init__(**kwargs)

    def use_pk_only_optimization(self) -> bool:
        return False

    def key_of(self, service: Service) -> int:
        return service.pk


class _ReadAsSummaryExtension(OpenApiSerializerFieldExtension):
    target_class = _ReadAsSummary
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": self.target.request_type}
        return auto_schema.resolve_serializer(self.target.summary, direction).ref


# Calendars


@extend_schema_field(
    {
        "type": "object",
        "description": 'Working hours per weekday, "0" (Monday) to "6" (Sunday): local '
        'wall-clock intervals, "24:00" ending a day; a weekday left out is closed.',
        "additionalProperties": {
            "type": "array",
            "items": {
                "type": "array",
                "items": {"type": "string", "pattern": r"^\d{1,2}:\d{2}$"},
                "minItems": 2,
                "maxItems": 2,
            },
        },
        "example": {str(day): [["09:00", "12:00"], ["13:30", "18:00"]] for day in range(5)},
    }
)
class WeeklyHoursField(serializers.JSONField):
    default_error_messages = {
        "shape": _(
            "Weekly hours map a weekday (“0” for Monday to “6” for Sunday) to a list of "
            "intervals such as [“09:00”, “12:00”]."
        ),
    }

    def to_internal_value(self, data: object) -> dict:
        hours = super().to_internal_value(data)
        days = {str(day) for day in WEEKDAYS}
        if not isinstance(hours, dict) or not set(hours) <= days:
            self.fail("shape")
        for intervals in hours.values():
            if not isinstance(intervals, list) or not all(
                isinstance(interval, list)
                and len(interval) == 2
                and all(isinstance(moment, str) for moment in interval)
                for interval in intervals
            ):
                self.fail("shape")
        return hours


class CalendarDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name"]


class CalendarClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = CalendarClosure
        fields = ["starts_at", "ends_at", "reason"]


class BusinessCalendarSerializer(serializers.ModelSerializer):
    weekly_hours = WeeklyHoursField(required=False)
    days = CalendarDaySerializer(
        many=True, read_only=True, help_text="Public holidays and make-up working days."
    )
    closures = CalendarClosureSerializer(many=True, read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = ["id", "name", "time_zone", "weekly_hours", "country", "days", "closures"]

    def validate(self, attrs: dict) -> dict:
        # The model's clean() builds the business clock, which refuses reversed or overlapping
        # intervals and a week without working time.
        calendar = copy(self.instance) if self.instance else BusinessCalendar()
        for field, value in attrs.items():
            setattr(calendar, field, value)
        try:
            calendar.full_clean(validate_unique=False)
        except DjangoValidationError as error:
            raise serializers.ValidationError(model_errors(error)) from error
        return attrs


# The service catalogue


@extend_schema_field(
    {
        "type": "array",
        "description": "The questions a request for this service asks.",
        "items": {
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$"},
                "label": {"type": "string"},
                "type": {
                    "type": "string",
                    "enum": ["text", "long_text", "number", "date", "choice", "file"],
                },
                "required": {"type": "boolean"},
                "choices": {"type": "array", "items": {"type": "string"}},
                "help": {"type": "string"},
            },
            "required": ["name", "label", "type"],
        },
    }
)
class FormFieldsField(serializers.JSONField):
    pass


MAX_APPROVAL_STEPS = 20


class StepConditionSerializer(serializers.Serializer):
    """Only for the schema: the condition of an approval step (agreements.conditions)."""

    field = serializers.CharField(
        help_text="The name of a question of the service's form, or `@department` for the "
        "requesting department (values: department codes or names)."
    )
    operator = serializers.ChoiceField(choices=Operator.choices)
    value = serializers.CharField(
        help_text="The value to compare with; for `in`, values separated by commas."
    )


@extend_schema_field(StepConditionSerializer(allow_null=True))
class StepConditionField(serializers.Field):
    """A step's condition as {field, operator, value}, or null: the step always applies."""

    default_error_messages = {
        "invalid": _("Give the condition as an object of field, operator and value, or null."),
    }

    def __init__(self, **kwargs):
        super().__init__(source="*", **kwargs)

    def to_representation(self, step: ApprovalStep) -> dict | None:
        if not step.condition:
            return None
        return {
            "field": step.condition_field,
            "operator": step.condition_operator,
            "value": step.condition_value,
        }

    def to_internal_value(self, data: object) -> dict:
        if data is None:
            return {"condition_field": "", "condition_operator": "", "condition_value": ""}
        if not isinstance(data, dict) or set(data) != {"field", "operator", "value"}:
            self.fail("invalid")
        if not all(isinstance(v, str) and len(v) <= 200 and "\x00" not in v for v in data.values()):
            self.fail("invalid")
        return {
            "condition_field": data["field"].strip()[:40],
            "condition_operator": data["operator"].strip()[:8],
            "condition_value": data["value"].strip(),
        }


class ApprovalStepSerializer(serializers.ModelSerializer):
    """A step of a service's approval chain; a service's edit replaces its chain whole."""

    person = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        allow_null=True,
        required=False,
        help_text="The approver's username, for a person.",
    )
    department = DepartmentField(
        allow_null=True, required=False, help_text="For the head of a department: its code."
    )
    condition = StepConditionField(required=False, allow_null=True)

    class Meta:
        model = ApprovalStep
        fields = [
            "position",
            "approver",
            "person",
            "department",
            "condition",
            "with_previous",
            "group_rule",
            "description",
        ]
        validators = []  # positions are checked over the whole chain, by the service


class ServiceSerializer(serializers.ModelSerializer):
    provider = DepartmentField()
    form_fields = FormFieldsField(required=False, validators=[validate_form_schema])
    approval_steps = ApprovalStepSerializer(
        many=True,
        required=False,
        max_length=MAX_APPROVAL_STEPS,
        help_text="The ordered approval chain; sent, it replaces the whole chain.",
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "provider",
            "form_fields",
            "default_priority",
            "approval_steps",
            "auto_assign",
            "is_active",
        ]
        validators = []  # the unique name is checked in validate(), to name the field

    def validate_provider(self, provider: Department) -> Department:
        if self.instance is not None and provider != self.instance.provider:
            raise serializers.ValidationError(
                _("A service stays with the department that supplies it.")
            )
        return provider

    def validate(self, attrs: dict) -> dict:
        provider = attrs.get("provider") or self.instance.provider
        name = attrs.get("name") or self.instance.name
        namesakes = Service.objects.filter(provider=provider, name=name)
        if self.instance is not None:
            namesakes = namesakes.exclude(pk=self.instance.pk)
        if namesakes.exists():
            raise serializers.ValidationError(
                {
                    "name": _("%(provider)s already offers a service of this name.")
                    % {"provider": provider}
                }
            )
        self._validate_chain(attrs)
        return attrs

    def _validate_chain(self, attrs: dict) -> None:
        """The chain (sent, or kept) must fit the form (sent, or kept)."""
        form_fields = attrs.get("form_fields", self.instance.form_fields if self.instance else [])
        if "approval_steps" in attrs:
            steps = [ApprovalStep(**step) for step in attrs["approval_steps"]]
            key = "approval_steps"
        elif self.instance is not None and "form_fields" in attrs:
            steps, key = list(self.instance.approval_steps.all()), "form_fields"
        else:
            return
        positions = [step.position for step in steps]
        if len(set(positions)) != len(positions):
            raise serializers.ValidationError({key: _("Two steps have the same position.")})
        try:
            for step in steps:
                step.full_clean(exclude=["service"], validate_unique=False)
            validate_approval_chain(form_fields, steps)
        except DjangoValidationError as error:
            raise serializers.ValidationError({key: error.messages}) from None

    @transaction.atomic
    def create(self, validated_data: dict) -> Service:
        steps = validated_data.pop("approval_steps", [])
        service = super().create(validated_data)
        ApprovalStep.objects.bulk_create(ApprovalStep(service=service, **s) for s in steps)
        return service

    @transaction.atomic
    def update(self, service: Service, validated_data: dict) -> Service:
        steps = validated_data.pop("approval_steps", None)
        service = super().update(service, validated_data)
        if steps is not None:
            service.approval_steps.all().delete()
            ApprovalStep.objects.bulk_create(ApprovalStep(service=service, **s) for s in steps)
        return service


# Agreements


_LISTS = ("services", "customers", "targets", "approval_windows")


class _WholeItem(serializers.ModelSerializer):
    """An item of a list that an edit replaces whole: every field is required, even in a
    partial update (where DRF would otherwise skip missing fields of nested items)."""

    def validate(self, attrs: dict) -> dict:
        if missing := [name for name in self.Meta.fields if name not in attrs]:
            raise serializers.ValidationError(
                {name: self.fields[name].error_messages["required"] for name in missing}
            )
        return attrs


class TargetSerializer(_WholeItem):
    first_response = serializers.DurationField(
        format="iso-8601", validators=[validate_working_duration], help_text="ISO 8601, e.g. PT4H"
    )
    resolution = serializers.DurationField(
        format="iso-8601", validators=[validate_working_duration], help_text="ISO 8601, e.g. P2DT4H"
    )

    class Meta:
        model = AgreementTarget
        fields = ["priority", "first_response", "resolution"]

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if not timedelta(0) < attrs["first_response"] <= attrs["resolution"]:
            raise serializers.ValidationError(
                _("Targets must be positive, and resolution cannot come before first response.")
            )
        return attrs


class ApprovalWindowSerializer(_WholeItem):
    window = serializers.DurationField(
        format="iso-8601", validators=[validate_working_duration], help_text="ISO 8601, e.g. PT8H"
    )

    class Meta:
        model = ApprovalWindow
        fields = ["position", "window"]
        extra_kwargs = {"position": {"min_value": 1}}

    def validate_window(self, window: timedelta) -> timedelta:
        if window <= timedelta(0):
            raise serializers.ValidationError(_("An approval window must be longer than zero."))
        return window


class SignOffSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="Null: signed for the whole company.",
    )
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SignOff
        fields = ["revision", "department", "decision", "comment", "decided_by", "decided_at"]


class AgreementEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = AgreementEvent
        fields = ["action", "actor", "department", "comment", "at"]


class AgreementSerializer(serializers.ModelSerializer):
    """An agreement version; also the body that creates or edits a draft."""

    revision = serializers.IntegerField(
        min_value=0,
        required=False,
        help_text="Bumped on every change. An edit must send the revision it read; a stale one "
        "is refused with 409.",
    )
    provider = DepartmentField(queryset=Department.objects.current())
    customers = DepartmentField(many=True, required=False, queryset=Department.objects.current())
    services = ServiceRefField(many=True)
    targets = TargetSerializer(many=True)
    approval_windows = ApprovalWindowSerializer(many=True, required=False)
    sign_offs = SignOffSerializer(many=True, read_only=True)
    events = AgreementEventSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "series",
            "version",
            "revision",
            "title",
            "provider",
            "customers",
            "all_customers",
            "services",
            "relationship",
            "calendar",
            "warning_threshold",
            "escalation_after",
            "confirm_within_days",
            "dispute_window",
            "pauses_for_hand_offs",
            "requester_answer_within",
            "customer_duties",
            "valid_from",
            "valid_until",
            "notes",
            "status",
            "proposed_at",
            "activated_at",
            "ended_at",
            "targets",
            "approval_windows",
            "sign_offs",
            "events",
        ]
        read_only_fields = ["status", "proposed_at", "activated_at", "ended_at"]

    def validate_targets(self, targets: list[dict]) -> list[dict]:
        _refuse_repeats([target["priority"] for target in targets])
        return targets

    def validate_approval_windows(self, windows: list[dict]) -> list[dict]:
        _refuse_repeats([window["position"] for window in windows])
        return windows

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            if "revision" not in attrs:
                raise serializers.ValidationError(
                    {"revision": _("Send the revision you read, so that no change is lost.")}
                )
            if "provider" in attrs and attrs["provider"] != self.instance.provider:
                raise serializers.ValidationError(
                    {"provider": _("The provider of an agreement cannot change.")}
                )
        provider = attrs.get("provider") or self.instance.provider
        if foreign := [s for s in attrs.get("services", []) if s.provider_id != provider.pk]:
            raise serializers.ValidationError(
                {
                    "services": _("%(service)s is not supplied by %(provider)s.")
                    % {"service": foreign[0].name, "provider": provider}
                }
            )
        return attrs

    def draft_arguments(self) -> dict:
        """The keyword arguments of `services.agreement_save_draft` (all but `by`) for this
        body; what an edit leaves out stays as it is."""
        data = dict(self.validated_data)
        revision = data.pop("revision", None)
        lists = {name: data.pop(name, None) for name in _LISTS}
        agreement = self.instance or Agreement()
        for field, value in data.items():
            setattr(agreement, field, value)
        if agreement.pk:
            current = {
                "services": agreement.services.all(),
                "customers": agreement.customers.all(),
                "targets": agreement.targets.values(),
                "approval_windows": agreement.approval_windows.values(),
            }
            lists = {
                name: list(current[name]) if value is None else value
                for name, value in lists.items()
            }
        return {
            "agreement": agreement,
            "revision": revision if agreement.pk else None,
            "services": lists["services"] or [],
            "customers": lists["customers"] or [],
            "targets": {
                t["priority"]: (t["first_response"], t["resolution"])
                for t in lists["targets"] or []
            },
            "approval_windows": {
                w["position"]: w["window"] for w in lists["approval_windows"] or []
            },
        }


class AgreementDetailSerializer(AgreementSerializer):
    """An agreement with what the requesting person may do with it now."""

    actions = serializers.SerializerMethodField(
        help_text="What the requesting person may do now: " + ", ".join(ACTIONS) + "."
    )
    sign_for = serializers.SerializerMethodField(
        help_text="The customer department codes the requesting person may accept or reject "
        "this proposal for; null stands for the company, in a company-wide agreement."
    )

    class Meta(AgreementSerializer.Meta):
        fields = [*AgreementSerializer.Meta.fields, "actions", "sign_for"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS)))
    def get_actions(self, agreement: Agreement) -> list[str]:
        user = self.context["request"].user
        actions = []
        if services.can_manage(user, agreement):
            if agreement.status == Agreement.Status.DRAFT:
                actions += ["edit", "propose"]
            elif agreement.status == Agreement.Status.PROPOSED:
                actions.append("withdraw")
            elif agreement.status == Agreement.Status.ACTIVE and not _being_prepared(agreement):
                actions.append("new_version")
        if self._departments_to_sign(agreement):
            actions += ["accept", "reject"]
        return actions

    @extend_schema_field(serializers.ListField(child=serializers.CharField(allow_null=True)))
    def get_sign_for(self, agreement: Agreement) -> list[str | None]:
        return [d and d.code for d in self._departments_to_sign(agreement)]

    def _departments_to_sign(self, agreement: Agreement) -> list[Department | None]:
        cache = self.context.setdefault("departments_to_sign", {})
        if agreement.pk not in cache:
            cache[agreement.pk] = services.departments_to_sign(
                self.context["request"].user, agreement
            )
        return cache[agreement.pk]


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0, help_text="The revision you read.")


class AcceptanceSerializer(RevisionSerializer):
    """Accept a proposal for one customer department (null: for the company)."""

    department = DepartmentField(
        allow_null=True,
        default=None,
        help_text="The code of the customer department signed for; null for a company-wide "
        "agreement.",
    )
    comment = serializers.CharField(allow_blank=True, default="")

    def validate_department(self, department: Department | None) -> Department | None:
        agreement: Agreement = self.context["agreement"]
        if agreement.all_customers:
            if department is not None:
                raise serializers.ValidationError(
                    _("A company-wide agreement is signed for the company: send null.")
                )
        elif department is None:
            raise serializers.ValidationError(_("Give the code of the department you sign for."))
        elif not agreement.customers.filter(pk=department.pk).exists():
            raise serializers.ValidationError(
                _("%(department)s is not a customer of this agreement.")
                % {"department": department}
            )
        return department


class RejectionSerializer(AcceptanceSerializer):
    """Reject a proposal, saying why; it returns to draft."""

    comment = serializers.CharField(help_text="Why, so that the provider can rework it.")


def _refuse_repeats(keys: list) -> None:
    for key, count in Counter(keys).items():
        if count > 1:
            raise serializers.ValidationError(
                _("“%(key)s” is given twice.") % {"key": key}, code="unique"
            )


def _being_prepared(agreement: Agreement) -> bool:
    """Whether a newer version of `agreement` is already a draft or a proposal."""
    return Agreement.objects.filter(
        series=agreement.series, status__in=[Agreement.Status.DRAFT, Agreement.Status.PROPOSED]
    ).exists()
