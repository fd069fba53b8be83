"""Survey campaigns, waves, results and invitations as the API serves them.

Results are serialized from the objects the results pages render (surveys.results: a hidden
figure is None there, so null here) and show no more than the pages: a department's invited
and answered counts and its response rate only when its figures are shown and the results are
not filtered by respondent department, as on the pages; figures rounded by common.figures."""

from __future__ import annotations

from rest_framework import serializers

from agreements.serializers import DepartmentSummarySerializer
from common import figures
from common.api_figures import PercentField, RatingField
from surveys.models import Campaign, CampaignQuestion, Invitation, Wave
from surveys.results import ALL


class QuestionSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="localized_text", read_only=True)
    scale = serializers.SerializerMethodField(help_text="[lowest, highest] score, or null.")

    class Meta:
        model = CampaignQuestion
        fields = ["id", "position", "text", "kind", "choices", "required", "dimension", "scale"]
        read_only_fields = fields

    def get_scale(self, question: CampaignQuestion) -> list[int] | None:
        return list(question.scale) if question.scale else None


class WaveSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Wave
        fields = ["id", "number", "period_start", "period_end", "launched_at", "closes_at"]
        read_only_fields = fields


class CampaignSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    waves = WaveSummarySerializer(many=True, read_only=True)
    respondent_departments = DepartmentSummarySerializer(many=True, read_only=True)
    rated_departments = DepartmentSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "name", "status", "cadence", "starts_on", "answer_days", "audience",
                  "respondent_departments", "rated_departments", "anonymous", "min_respondents",
                  "min_comment_group", "reminder_days", "next_launch_at", "launched_at",
                  "questions", "waves"]  # fmt: skip
        read_only_fields = fields


class CampaignBodySerializer(serializers.Serializer):
    """The body of a new or changed draft campaign, read by the campaign page's own form."""

    name = serializers.CharField(max_length=200)
    cadence = serializers.ChoiceField(choices=Campaign.Cadence.choices)
    starts_on = serializers.DateField()
    answer_days = serializers.IntegerField(min_value=1)
    audience = serializers.ChoiceField(choices=Campaign.Audience.choices)
    respondent_departments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids, for a chosen audience."
    )
    rated_departments = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids, for a chosen audience."
    )
    anonymous = serializers.BooleanField(required=False)
    min_respondents = serializers.IntegerField(min_value=1)
    min_comment_group = serializers.IntegerField(min_value=1)
    questions = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of questions of the bank, in order."
    )
    reminder_days = serializers.CharField(required=False, help_text="E.g. “3, 7”.")


class CampaignSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "anonymous"]
        read_only_fields = fields


class WaveSerializer(serializers.ModelSerializer):
    campaign = CampaignSummarySerializer(read_only=True)

    class Meta:
        model = Wave
        fields = ["id", "campaign", "number", "period_start", "period_end", "launched_at",
                  "closes_at"]  # fmt: skip
        read_only_fields = fields


class RatedDepartmentSerializer(DepartmentSummarySerializer):
    """The rated department of a row; null on the row of all departments together."""

    def get_attribute(self, instance):
        department = super().get_attribute(instance)
        return department if department is not None and department.pk else None


class ProgressSerializer(serializers.Serializer):
    """Responses so far to an open wave of an anonymous campaign (answered: null when hidden)."""

    department = RatedDepartmentSerializer(read_only=True, allow_null=True)
    invited = serializers.IntegerField(read_only=True)
    answered = serializers.IntegerField(read_only=True, allow_null=True)
    response_rate = serializers.SerializerMethodField()

    def get_response_rate(self, row) -> float | None:
        """In percent, as the page shows it."""
        if row.response_rate is None:
            return None
        return float(figures.percent_of(row.answered, row.invited))


class DistributionSerializer(serializers.Serializer):
    value = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)
    percent = PercentField()

    def to_representation(self, item) -> dict:
        value, count, percent = item
        return super().to_representation({"value": value, "count": count, "percent": percent})


class QuestionResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question.pk", read_only=True)
    text = serializers.CharField(source="question.localized_text", read_only=True)
    kind = serializers.CharField(source="question.kind", read_only=True)
    answers = serializers.IntegerField(read_only=True, allow_null=True)
    mean = RatingField()
    distribution = DistributionSerializer(many=True, read_only=True)


class SurveyTrendPointSerializer(serializers.Serializer):
    wave = serializers.IntegerField(source="wave.number", read_only=True)
    launched_at = serializers.DateTimeField(source="wave.launched_at", read_only=True)
    respondents = serializers.IntegerField(read_only=True, allow_null=True)
    score = RatingField()


class DepartmentResultSerializer(serializers.Serializer):
    """A rated department's results; every figure null when it is hidden. `comments` is null
    when not asked for or when the group is too small for comments."""

    department = RatedDepartmentSerializer(read_only=True, allow_null=True)
    hidden = serializers.BooleanField(read_only=True)
    respondents = serializers.IntegerField(read_only=True, allow_null=True)
    invited = serializers.SerializerMethodField()
    answered = serializers.SerializerMethodField()
    response_rate = serializers.SerializerMethodField(help_text="In percent.")
    score = RatingField()
    questions = serializers.SerializerMethodField()
    comments = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    trend = SurveyTrendPointSerializer(many=True, read_only=True)

    def _counts_shown(self, row) -> bool:
        # As the pages: only for a shown group, and not beside a respondent filter (the counts
        # are of everyone invited, which set against a filtered figure would tell too much).
        return not row.hidden and self.context.get("respondent", ALL) == ALL

    def get_invited(self, row) -> int | None:
        return row.invited if self._counts_shown(row) else None

    def get_answered(self, row) -> int | None:
        return row.answered if self._counts_shown(row) else None

    def get_response_rate(self, row) -> float | None:
        if not self._counts_shown(row) or row.response_rate is None:
            return None
        return float(figures.percent_of(row.answered, row.invited))

    def get_questions(self, row) -> list[dict]:
        """Every question but free text (whose answers are the comments)."""
        shown = [result for result in row.questions if result.question.kind != "text"]
        return QuestionResultSerializer(shown, many=True).data


class ResultsSerializer(serializers.Serializer):
    """The results of a wave as its page shows them: while an anonymous campaign's wave is open,
    only the progress; once released, the results (the total only for HR, unfiltered)."""

    wave = WaveSerializer(read_only=True)
    released = serializers.BooleanField(read_only=True)
    notice = serializers.CharField(read_only=True, help_text="Why no results are shown yet.")
    threshold = serializers.IntegerField(read_only=True, help_text="The anonymity threshold.")
    respondent = serializers.CharField(
        read_only=True, help_text="“all”, a department's id, or “other”."
    )
    progress = ProgressSerializer(many=True, read_only=True, allow_null=True)
    progress_total = ProgressSerializer(read_only=True, allow_null=True)
    departments = DepartmentResultSerializer(many=True, read_only=True, allow_null=True)
    total = DepartmentResultSerializer(read_only=True, allow_null=True)
    respondent_choices = DepartmentSummarySerializer(many=True, read_only=True)


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation of the person's own, to answer about a department."""

    rated_department = DepartmentSummarySerializer(read_only=True)
    campaign = serializers.CharField(source="wave.campaign.name", read_only=True)
    anonymous = serializers.BooleanField(source="wave.campaign.anonymous", read_only=True)
    closes_at = serializers.DateTimeField(source="wave.closes_at", read_only=True)
    questions = QuestionSerializer(source="wave.campaign.questions", many=True, read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "campaign", "anonymous", "rated_department", "closes_at", "answered",
                  "questions"]  # fmt: skip
        read_only_fields = fields


class AnswersSerializer(serializers.Serializer):
    """Answers by question id: a score for a scale, an option for a choice, text for free text."""

    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text='By question id, e.g. {"12": 4, "13": "Faster replies, please."}',
    )
