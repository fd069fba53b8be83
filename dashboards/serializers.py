"""The figures of the dashboards as the API serves them, serialized from the very objects the
pages render (`Compliance`, `Dashboard`, `ScoreRow`) and rounded by `common.figures`.

A figure added to one of those objects is one more line here: a declared field named after
the attribute (or with its `source`), PercentField or RatingField for rates and scores."""

from __future__ import annotations

from rest_framework import serializers

from agreements.serializers import DepartmentSummarySerializer
from common.api_figures import HoursField, PercentField, RatingField


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    first = serializers.DateField(read_only=True)
    last = serializers.DateField(read_only=True)


class ComplianceSerializer(serializers.Serializer):
    """The figures of a dashboard row (dashboards.compliance.Compliance): counts of requests and
    of targets met, breached and pending, and the compliance rates (%, met / decided)."""

    received = serializers.IntegerField(read_only=True)
    no_agreement = serializers.IntegerField(read_only=True)
    first_response_met = serializers.IntegerField(read_only=True)
    first_response_breached = serializers.IntegerField(read_only=True)
    first_response_pending = serializers.IntegerField(read_only=True)
    first_response_waived = serializers.IntegerField(
        read_only=True, help_text="Breaches waived by a dispute: neither met nor breached."
    )
    first_response_rate = PercentField()
    resolution_met = serializers.IntegerField(read_only=True)
    resolution_breached = serializers.IntegerField(read_only=True)
    resolution_pending = serializers.IntegerField(read_only=True)
    resolution_waived = serializers.IntegerField(read_only=True)
    resolution_rate = PercentField()
    met = serializers.IntegerField(read_only=True)
    breached = serializers.IntegerField(read_only=True)
    decided = serializers.IntegerField(read_only=True)
    waived = serializers.IntegerField(read_only=True)
    rate = PercentField(help_text="Both targets together: met / decided, in percent.")
    rated = serializers.IntegerField(read_only=True)
    mean_rating = RatingField()
    resolved = serializers.IntegerField(
        read_only=True, help_text="Requests whose result stands: resolved, or closed after it."
    )
    confirmed = serializers.IntegerField(
        read_only=True, help_text="Confirmed by the requester, or automatically."
    )
    auto_confirmed = serializers.IntegerField(
        read_only=True,
        help_text="Confirmed by themselves at the end of the agreement's confirmation period.",
    )
    confirmation_rate = PercentField(help_text="Confirmed / resolved, in percent.")
    auto_confirmed_share = PercentField(help_text="Auto-confirmed / confirmed, in percent.")
    duty_met = serializers.IntegerField(
        read_only=True, help_text="Requester's answers given within the customer's duty."
    )
    duty_breached = serializers.IntegerField(
        read_only=True, help_text="Requester's answers late or overdue (the customer's breach)."
    )
    duty_rate = PercentField(help_text="The customer's answer duty: met / decided, in percent.")


class GroupSerializer(serializers.Serializer):
    """A row of a breakdown: a service, a department or a priority, and its figures."""

    key = serializers.CharField(read_only=True, help_text="The id, or the priority.")
    label = serializers.CharField(read_only=True)
    figures = ComplianceSerializer(read_only=True)


class TrendPointSerializer(serializers.Serializer):
    week = serializers.DateField(read_only=True, help_text="The Monday of the week.")
    figures = ComplianceSerializer(read_only=True)


class BacklogSerializer(serializers.Serializer):
    open = serializers.IntegerField(read_only=True)
    overdue = serializers.IntegerField(read_only=True)
    unassigned = serializers.IntegerField(read_only=True)


class DurationsSerializer(serializers.Serializer):
    median = serializers.DurationField(read_only=True, allow_null=True, format="iso-8601")
    p90 = serializers.DurationField(read_only=True, allow_null=True, format="iso-8601")
    count = serializers.IntegerField(read_only=True)
    sampled = serializers.BooleanField(
        read_only=True, help_text="Computed from the most recently filed requests only."
    )


class WorkingDurationsSerializer(serializers.Serializer):
    first_response = DurationsSerializer(read_only=True)
    resolution = DurationsSerializer(read_only=True)


class AtRiskSerializer(serializers.Serializer):
    """A request about to breach, as the dashboard lists it."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    next_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    service = serializers.CharField(source="service.name", read_only=True)
    provider = DepartmentSummarySerializer(read_only=True)
    customer = DepartmentSummarySerializer(read_only=True)
    priority = serializers.CharField(read_only=True)
    assignee = serializers.CharField(source="assignee.username", read_only=True, allow_null=True)


class SourceSerializer(serializers.Serializer):
    """Where the figures came from: days read from the daily totals, days counted live."""

    now = serializers.DateTimeField(read_only=True)
    settled_days = serializers.IntegerField(read_only=True)
    live_days = serializers.IntegerField(read_only=True)
    counted_at = serializers.DateTimeField(read_only=True, allow_null=True)


class DashboardSerializer(serializers.Serializer):
    """A department's dashboard (dashboards.selectors.Dashboard) as supplier or customer."""

    department = DepartmentSummarySerializer(read_only=True)
    side = serializers.ChoiceField(choices=["supplier", "customer"], read_only=True)
    period = PeriodSerializer(read_only=True)
    summary = ComplianceSerializer(read_only=True)
    trend = TrendPointSerializer(many=True, read_only=True)
    by_service = GroupSerializer(many=True, read_only=True)
    by_department = GroupSerializer(
        many=True, read_only=True, help_text="By customer (supplier side) or supplier."
    )
    by_priority = GroupSerializer(many=True, read_only=True)
    backlog = BacklogSerializer(read_only=True)
    durations = WorkingDurationsSerializer(read_only=True)
    at_risk = AtRiskSerializer(many=True, read_only=True)
    at_risk_count = serializers.IntegerField(read_only=True)
    source = SourceSerializer(read_only=True)


class ApprovalFiguresSerializer(serializers.Serializer):
    """Approval windows of a department's members (dashboards.approvals.ApprovalFigures)."""

    met = serializers.IntegerField(read_only=True)
    breached = serializers.IntegerField(read_only=True)
    pending = serializers.IntegerField(read_only=True, help_text="Windows still running.")
    rate = PercentField(help_text="Met / (met + breached), in percent.")


class ScoreRowSerializer(serializers.Serializer):
    """A row of the company scorecard (dashboards.scorecard.ScoreRow)."""

    rank = serializers.IntegerField(read_only=True, allow_null=True)
    department = DepartmentSummarySerializer(read_only=True)
    compliance = PercentField(source="current.rate")
    waived = serializers.IntegerField(
        read_only=True, help_text="Breaches of the period waived by a dispute, beside the score."
    )
    previous_compliance = PercentField(source="previous.rate")
    trend = PercentField(help_text="Change against the previous period, in points.")
    survey_score = RatingField(source="survey.score")
    survey_responses = serializers.IntegerField(
        source="survey.responses", read_only=True, allow_null=True
    )
    current = ComplianceSerializer(read_only=True)
    previous = ComplianceSerializer(read_only=True)
    complaints = serializers.IntegerField(
        read_only=True, help_text="Complaints filed about the department in the period."
    )
    complaint_response_hours = HoursField(
        source="complaint_response",
        help_text="Median working hours to respond to complaints and suggestions.",
    )
    approval = ApprovalFiguresSerializer(read_only=True)


class HeatCellSerializer(serializers.Serializer):
    """A cell of the heat map: a supplier's figures for one customer in the period."""

    supplier = DepartmentSummarySerializer(read_only=True)
    customer = DepartmentSummarySerializer(read_only=True)
    compliance = PercentField(source="figures.rate")
    # The customer's duties in this pair are among the figures (duty_met, duty_breached).
    figures = ComplianceSerializer(read_only=True)
