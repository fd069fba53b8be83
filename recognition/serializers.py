"""The API's shape of recognition: cycles, awards (with the figures the reader may see) and the
candidates of a cycle (HR only)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from departments.models import Department
from recognition.models import REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Award, Cycle
from tickets.serializers import StrictBody


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    kind = serializers.ChoiceField(choices=["percent", "points", "rating", "count"])


class CycleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = ["id", "name", "starts_on", "ends_on", "status", "published_at"]
        read_only_fields = ["id", "status", "published_at"]


class CycleBodySerializer(StrictBody):
    name = serializers.CharField(max_length=100)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class AwardSerializer(serializers.ModelSerializer):
    cycle = serializers.PrimaryKeyRelatedField(read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    person = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    awarded_to = serializers.CharField(source="winner_name", read_only=True)
    figures = serializers.SerializerMethodField(
        help_text="The figures the award was picked on; null when the reader may not see them "
        "(a person's: themselves, their heads and HR; a department's: HR and heads)."
    )

    class Meta:
        model = Award
        fields = ["id", "cycle", "department", "person", "awarded_to", "title", "reason",
                  "figures", "awarded_at"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(FigureSerializer(many=True, allow_null=True))
    def get_figures(self, award: Award) -> list | None:
        shown = getattr(award, "shown_figures", None)
        return None if shown is None else [figure.__dict__ for figure in shown]


class AwardBodySerializer(StrictBody):
    cycle = serializers.PrimaryKeyRelatedField(queryset=Cycle.objects.all())
    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="A department's code; or give `person`.",
    )
    person = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="A username; or give `department`.",
    )
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class DepartmentCandidateSerializer(serializers.Serializer):
    department = serializers.CharField(source="department.code")
    name = serializers.CharField(source="department.name")
    figures = serializers.DictField(child=serializers.FloatField(allow_null=True))


class PersonCandidateSerializer(serializers.Serializer):
    person = serializers.CharField(source="person.username")
    name = serializers.CharField(source="person.get_full_name")
    departments = serializers.ListField(child=serializers.CharField())
    figures = serializers.DictField(child=serializers.FloatField(allow_null=True))


class CandidatesSerializer(serializers.Serializer):
    departments = DepartmentCandidateSerializer(many=True)
    people = PersonCandidateSerializer(many=True)
