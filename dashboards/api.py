"""The REST API of the dashboards: a department's dashboard (as supplier or customer, with its
trend) and the company scorecard, with exactly the figures of the pages.

The query is read by the pages' own form (`PeriodForm`: period, from, to, kind) and the side by
`view`, as in the pages' URLs; the figures come from the same selectors (`department_dashboard`,
`company_facts`/`scorecard`) and are rounded by `common.figures`. Who sees what is
`dashboards.access`, as for the pages: a dashboard the person may not open is a 404, and so is
the scorecard. Unlike the pages, which fall back to the last 30 days, an invalid query is a 400
with the form's messages: a client should know it asked for something else."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from agreements.models import Agreement, Priority
from agreements.serializers import DepartmentSummarySerializer
from dashboards import approvals, selectors
from dashboards.access import dashboard_departments, may_see_scorecard
from dashboards.compliance import TARGETS, Compliance
from dashboards.periods import MAX_CUSTOM_DAYS, DrillForm, Period, PeriodForm, PeriodKind
from dashboards.scorecard import company_facts, heat_map, scorecard
from dashboards.serializers import (
    DashboardSerializer,
    HeatCellSerializer,
    PeriodSerializer,
    ScoreRowSerializer,
)
from departments.models import Department
from tickets.serializers import TicketSerializer

PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=[kind for kind, _label in PeriodKind.CHOICES],
        description="The period of the figures (requests filed in it); the last 30 days by "
        "default.",
    ),
    OpenApiParameter("from", str, description="First day of a custom period (YYYY-MM-DD)."),
    OpenApiParameter(
        "to",
        str,
        description=f"Last day of a custom period (YYYY-MM-DD), at most {MAX_CUSTOM_DAYS} days.",
    ),
    OpenApiParameter(
        "kind",
        str,
        enum=Agreement.Relationship.values,
        description="Only the requests filed under agreements of this kind of relationship.",
    ),
]

SIDE_PARAMETER = OpenApiParameter(
    "view",
    str,
    enum=list(selectors.SIDES),
    description="The department as supplier (default) or as customer.",
)


class SideForm(forms.Form):
    """The side of a dashboard, `view` in the pages' URLs."""

    view = forms.ChoiceField(choices=[(side, side) for side in selectors.SIDES], required=False)


class StrictDrillForm(DrillForm):
    """The link behind a figure, as the pages' DrillForm reads its numbers and week; the words
    the pages quietly ignore when unknown are refused here."""

    target = forms.ChoiceField(choices=[(t, t) for t in TARGETS], required=False)
    outcome = forms.ChoiceField(choices=[(o, o) for o in selectors.OUTCOMES], required=False)
    state = forms.ChoiceField(choices=[(s, s) for s in selectors.STATES if s], required=False)
    priority = forms.ChoiceField(choices=Priority.choices, required=False)
    approval = forms.ChoiceField(choices=[(o, o) for o in approvals.OUTCOMES], required=False)


DRILL_PARAMETERS = [
    OpenApiParameter("target", str, enum=list(TARGETS)),
    OpenApiParameter("outcome", str, enum=list(selectors.OUTCOMES)),
    OpenApiParameter(
        "state",
        str,
        enum=[state for state in selectors.STATES if state],
        description="Open, overdue, unassigned and at_risk are the requests as they stand now, "
        "whatever the period.",
    ),
    OpenApiParameter("service", int, description="A service's id."),
    OpenApiParameter("other", int, description="The customer's (or supplier's) id."),
    OpenApiParameter("priority", str, enum=Priority.values),
    OpenApiParameter("week", str, description="The Monday of a week (YYYY-MM-DD)."),
    OpenApiParameter(
        "approval",
        str,
        enum=list(approvals.OUTCOMES),
        description="The requests behind an approval figure: those whose approval steps, asked "
        "of the department's members and current in the period, were met, breached or are still "
        "running, on either side and of any kind.",
    ),
    OpenApiParameter("approver", int, description="With `approval`: one member's id."),
]


def _period_form(request: Request) -> PeriodForm:
    """The pages' PeriodForm on the query; invalid is a 400."""
    form = PeriodForm(request.query_params)
    if not form.is_valid():
        raise exceptions.ValidationError(_form_errors(form))
    return form


def period_from(request: Request) -> Period:
    """The period asked for."""
    return _period_form(request).chosen(timezone.localdate())


def kind_from(request: Request) -> str:
    """The kind of relationship asked for ("": every kind)."""
    return _period_form(request).chosen_kind()


def side_from(request: Request) -> str:
    form = SideForm(request.query_params)
    if not form.is_valid():
        raise exceptions.ValidationError(_form_errors(form))
    return form.cleaned_data["view"] or selectors.SUPPLIER


def _form_errors(form: forms.Form) -> dict:
    """A form's errors by the names of the query parameters (`from`/`to`, not start/end)."""
    names = {"start": "from", "end": "to", "__all__": "non_field_errors"}
    return {names.get(field, field): messages for field, messages in form.errors.items()}


@extend_schema_view(
    list=extend_schema(
        description="The departments whose dashboard the person may open: the ones they head "
        "(or stand in for today); every one for HR and administrators."
    ),
    retrieve=extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            SIDE_PARAMETER,
        ],
        responses={200: DashboardSerializer},
        description="A department's dashboard: the figures of the period by week, service, "
        "other department and priority, its backlog now and the requests about to breach.",
    ),
)
class DashboardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Department dashboards, by department code."""

    serializer_class = DepartmentSummarySerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]{1,20}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Department.objects.none()
        return dashboard_departments(self.request.user, timezone.localdate())

    def retrieve(self, request: Request, code: str) -> Response:
        department = self.get_queryset().filter(code__iexact=code).first()
        if department is None:
            raise Http404
        dashboard = selectors.department_dashboard(
            department, side_from(request), period_from(request), timezone.now(), kind_from(request)
        )
        return Response(DashboardSerializer(dashboard).data)

    @extend_schema(
        parameters=[*PERIOD_PARAMETERS, SIDE_PARAMETER, *DRILL_PARAMETERS],
        responses={200: TicketSerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def requests(self, request: Request, code: str) -> Response:
        """The requests behind a figure of the dashboard, as its links ask for them; only those
        the person may see (HR and deputies see the figures, not every request)."""
        department = self.get_queryset().filter(code__iexact=code).first()
        if department is None:
            raise Http404
        side, period = side_from(request), period_from(request)
        drill_form = StrictDrillForm(request.query_params)
        if not drill_form.is_valid():
            raise exceptions.ValidationError(_form_errors(drill_form))
        drill = selectors.Drill.from_query(request.query_params)
        tickets = selectors.drill_requests(
            request.user, department, side, period, drill, timezone.now(), kind_from(request)
        )
        page = self.paginate_queryset(tickets.select_related("resolved_by"))
        return self.get_paginated_response(TicketSerializer(page, many=True).data)


class ScorecardPagination(PageNumberPagination):
    """Pages of the scorecard's rows, with the period they cover."""

    period: Period

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data["period"] = PeriodSerializer(self.period).data
        return response

    def get_paginated_response_schema(self, schema: dict) -> dict:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["period"] = {
            "type": "object",
            "properties": {
                "kind": {"type": "string"},
                "first": {"type": "string", "format": "date"},
                "last": {"type": "string", "format": "date"},
            },
        }
        return paginated


@extend_schema_view(
    list=extend_schema(
        parameters=PERIOD_PARAMETERS,
        description="Every department ranked by its compliance as supplier in the period, with "
        "the previous period, the trend and the survey score (none for a department with fewer "
        "respondents than the anonymity threshold). HR, administrators and department heads.",
    )
)
class ScorecardViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The company scorecard."""

    queryset = Department.objects.none()  # rows are ScoreRows, not a queryset's
    serializer_class = ScoreRowSerializer
    pagination_class = ScorecardPagination

    def list(self, request: Request) -> Response:
        if not may_see_scorecard(request.user, timezone.localdate()):
            raise Http404
        period = period_from(request)
        rows = scorecard(company_facts(period, timezone.now(), kind_from(request)))
        self.paginator.period = period
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses={200: HeatCellSerializer(many=True)})
    @action(detail=False, methods=["get"], url_path="heat-map")
    def heat_map(self, request: Request) -> Response:
        """Compliance of every supplier for every customer that filed with it in the period
        (the scorecard page's heat map), supplier by supplier."""
        if not may_see_scorecard(request.user, timezone.localdate()):
            raise Http404
        period = period_from(request)
        cells = [
            HeatCell(supplier, customer, figures)
            for supplier, row in heat_map(
                company_facts(period, timezone.now(), kind_from(request))
            ).rows()
            for customer, figures in row
            if figures is not None
        ]
        self.paginator.period = period
        page = self.paginate_queryset(cells)
        return self.get_paginated_response(HeatCellSerializer(page, many=True).data)


@dataclass(frozen=True)
class HeatCell:
    supplier: Department
    customer: Department
    figures: Compliance
