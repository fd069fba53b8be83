"""The REST API of the surveys: campaigns (HR), waves and their results (HR, and heads about
their own departments), the exports (HR), and the person's own invitations, answered here as
through the e-mailed link.

Results are exactly the pages': the same selectors (`waves_visible_to`, `results_departments`),
the same functions with the same arguments (`wave_progress`, `wave_results`, `score_trend`), the
same filter form (`ResultsFilterForm`, a 400 when it refuses a value), the same release rule (an
anonymous campaign's open wave shows only its progress, and cannot be exported). So no figure is
shown below the anonymity threshold, nor one that a filter or a second look could subtract a
hidden one from. A wave or department the person may not see is a 404."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import DomainError
from common.spreadsheets import csv_response, xlsx_response
from departments.models import Department, sees_company_reports
from surveys import exports, selectors, services
from surveys.forms import AnswerForm, CampaignForm, ResultsFilterForm
from surveys.models import Campaign, CampaignQuestion, Invitation, Wave
from surveys.result_views import release_notice
from surveys.results import score_trend, wave_progress, wave_results
from surveys.serializers import (
    AnswersSerializer,
    CampaignBodySerializer,
    CampaignSerializer,
    InvitationSerializer,
    ResultsSerializer,
    WaveSerializer,
)

RESPONDENT = OpenApiParameter(
    "respondent",
    str,
    description="Answers by one respondent department (its id), or by the pooled groups too "
    "small to name (“other”); every answer when empty.",
)


class NotReleased(DomainError):
    status_code = status.HTTP_409_CONFLICT


def _form_errors(form: forms.Form) -> dict:
    return {
        "non_field_errors" if name == "__all__" else name: messages
        for name, messages in form.errors.items()
    }


# Campaigns ---------------------------------------------------------------------------------------


@extend_schema_view(
    create=extend_schema(
        request=CampaignBodySerializer,
        responses={201: CampaignSerializer},
        description="A draft campaign (HR), read by the campaign page's form.",
    ),
    partial_update=extend_schema(
        request=CampaignBodySerializer,
        responses={200: CampaignSerializer},
        description="Change a draft campaign: send every field, as the page's form does.",
    ),
)
class CampaignViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Survey campaigns: HR and administrators only (a 404 for everyone else)."""

    serializer_class = CampaignSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Campaign]:
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return (
            Campaign.objects.manageable_by(self.request.user)
            .prefetch_related(
                Prefetch("questions", CampaignQuestion.objects.order_by("position")),
                "waves",
                "respondent_departments",
                "rated_departments",
            )
            .order_by("-created_at", "-pk")
        )

    def create(self, request: Request) -> Response:
        if not sees_company_reports(request.user):
            raise Http404
        campaign = self._save(CampaignForm(self._form_data(), instance=Campaign()))
        return Response(self._present(campaign), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        campaign = self.get_object()
        if not campaign.is_editable:
            raise services.SurveyError(_("A launched campaign can no longer be changed."))
        return Response(
            self._present(self._save(CampaignForm(self._form_data(), instance=campaign)))
        )

    def _form_data(self) -> dict:
        data = self.request.data
        if not hasattr(data, "get"):
            raise exceptions.ValidationError(_("Send the campaign as an object of fields."))
        return {name: data.get(name) for name in CampaignBodySerializer().fields}

    def _save(self, form: CampaignForm) -> Campaign:
        if not form.is_valid():
            raise exceptions.ValidationError(_form_errors(form))
        return services.campaign_save(
            campaign=form.instance,
            by=self.request.user,
            questions=form.cleaned_data["questions"],
            respondent_departments=form.cleaned_data["respondent_departments"],
            rated_departments=form.cleaned_data["rated_departments"],
        )

    def _present(self, campaign: Campaign) -> dict:
        return CampaignSerializer(self.get_queryset().get(pk=campaign.pk)).data

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def launch(self, request: Request, pk: str) -> Response:
        """Launch a draft: its first wave starts now, or on its start date."""
        campaign = services.campaign_launch(campaign_id=self.get_object().pk, by=request.user)
        return Response(self._present(campaign))

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        """End an active campaign: no further waves; open waves run to their end."""
        campaign = services.campaign_end(campaign_id=self.get_object().pk, by=request.user)
        return Response(self._present(campaign))


# Waves and their results -------------------------------------------------------------------------


class PassthroughRenderer(renderers.BaseRenderer):
    """Lets a client ask for a spreadsheet (the view answers the file itself)."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return renderers.JSONRenderer().render(data)


class CsvRenderer(PassthroughRenderer):
    media_type = "text/csv"
    format = "csv"


class XlsxRenderer(PassthroughRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class ExportForm(forms.Form):
    what = forms.ChoiceField(choices=[("results", "results"), ("responses", "responses")])
    file = forms.ChoiceField(choices=[("csv", "csv"), ("xlsx", "xlsx")], required=False)


@extend_schema_view(
    list=extend_schema(description="The waves whose results the person may open, newest first."),
)
class WaveViewSet(viewsets.ReadOnlyModelViewSet):
    """Waves of survey campaigns: HR sees every one, a head those rating their departments."""

    serializer_class = WaveSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Wave.objects.none()
        return selectors.waves_visible_to(self.request.user).order_by("-launched_at", "-pk")

    def _scope(self) -> tuple:
        """The wave and the rated departments whose results the person sees (None: all)."""
        wave = self.get_object()
        scope = selectors.results_departments(self.request.user, wave)
        rated = None if scope is None else set(scope.values_list("pk", flat=True))
        if rated is not None and not rated:
            raise Http404
        return wave, rated

    def _respondent(self) -> int | str | None:
        query = ResultsFilterForm(self.request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(_form_errors(query))
        return query.cleaned_data["respondent"]

    def _answer(self, wave, respondent, **results) -> Response:
        released = wave.results_released(timezone.now())
        body = {
            "wave": wave,
            "released": released,
            "notice": "" if released else release_notice(wave),
            "threshold": wave.campaign.min_respondents,
            "respondent": "other" if respondent is None else str(respondent),
            "progress": None,
            "progress_total": None,
            "departments": None,
            "total": None,
            "respondent_choices": [],
            **results,
        }
        context = {"respondent": respondent}
        return Response(ResultsSerializer(body, context=context).data)

    @extend_schema(parameters=[RESPONDENT], responses={200: ResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        """The results of every rated department the person may see, as the wave's page."""
        wave, rated = self._scope()
        respondent = self._respondent()
        if not wave.results_released(timezone.now()):
            progress, total = wave_progress(wave, rated=rated)
            return self._answer(wave, respondent, progress=progress, progress_total=total)
        outcome = wave_results(wave, rated=rated, respondent=respondent)
        trend = score_trend(wave, rated=rated)
        for row in outcome.departments:
            row.trend = trend.get(row.department.pk, [])
        return self._answer(
            wave,
            respondent,
            departments=outcome.departments,
            total=outcome.total,
            respondent_choices=outcome.respondent_choices,
        )

    @extend_schema(
        parameters=[RESPONDENT],
        responses={200: ResultsSerializer},
        operation_id="survey_waves_department_results",
    )
    @action(detail=True, methods=["get"], url_path=r"results/(?P<code>[^/]{1,20})")
    def department_results(self, request: Request, pk: str, code: str) -> Response:
        """One rated department's results with its comments, as its page."""
        wave, rated = self._scope()
        department = Department.objects.filter(code__iexact=code.replace("\x00", "")).first()
        if department is None or (rated is not None and department.pk not in rated):
            raise Http404
        respondent = self._respondent()
        if not wave.results_released(timezone.now()):
            progress, _total = wave_progress(wave, rated={department.pk})
            if not progress:
                raise Http404
            return self._answer(wave, respondent, progress=progress)
        outcome = wave_results(
            wave, rated={department.pk}, respondent=respondent, with_comments=True
        )
        if not outcome.departments:
            raise Http404
        outcome.departments[0].trend = score_trend(wave, rated={department.pk}).get(
            department.pk, []
        )
        return self._answer(
            wave,
            respondent,
            departments=outcome.departments,
            respondent_choices=outcome.respondent_choices,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("what", str, enum=["results", "responses"], required=True),
            OpenApiParameter("file", str, enum=["csv", "xlsx"], description="CSV by default."),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, XlsxRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY),
            409: OpenApiResponse(description="An anonymous campaign's wave is still open."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        renderer_classes=[renderers.JSONRenderer, CsvRenderer, XlsxRenderer],
    )
    def export(self, request: Request, pk: str):
        """The wave's aggregates or its raw responses (no identity in an anonymous campaign) as
        CSV or XLSX: HR and administrators, once the results are released."""
        if not sees_company_reports(request.user):
            raise Http404
        wave = self.get_object()
        query = ExportForm(request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(_form_errors(query))
        if not wave.results_released(timezone.now()):
            raise NotReleased(release_notice(wave))
        what, extension = query.cleaned_data["what"], query.cleaned_data["file"] or "csv"
        rows = exports.aggregate_rows(wave) if what == "results" else exports.response_rows(wave)
        filename = exports.export_filename(wave, what, extension, timezone.localdate())
        if extension == "csv":
            return csv_response(rows, filename=filename)
        title = _("Results") if what == "results" else _("Responses")
        return xlsx_response(rows, filename=filename, sheet_title=title)


# Invitations: answering --------------------------------------------------------------------------


class Closed(DomainError):
    status_code = status.HTTP_410_GONE


@extend_schema_view(
    list=extend_schema(
        description="The person's own invitations still to answer, the soonest to close first."
    )
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The person's own survey invitations (nobody else's, whoever they are)."""

    serializer_class = InvitationSerializer

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        if self.action == "list":
            return selectors.open_invitations(self.request.user, timezone.now())
        return Invitation.objects.filter(
            recipient=self.request.user, wave__launched_at__lte=timezone.now()
        ).select_related("wave__campaign", "rated_department")

    @extend_schema(
        request=AnswersSerializer,
        responses={
            204: OpenApiResponse(description="Answered."),
            410: OpenApiResponse(description="Already answered, or the wave has closed."),
        },
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        """Answer the survey, once, before the wave closes; in an anonymous campaign the answers
        keep no link to the person."""
        invitation = get_object_or_404(self.get_queryset(), pk=pk)
        body = AnswersSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if invitation.answered:
            raise Closed(_("This survey has already been answered."))
        if not invitation.wave.is_open(timezone.now()):
            raise Closed(_("This survey has closed"))
        questions = list(invitation.wave.campaign.questions.all())
        given = body.validated_data["answers"]
        unknown = set(given) - {str(question.pk) for question in questions}
        if unknown:
            raise exceptions.ValidationError(
                {
                    "answers": {
                        key: [_("This question is not part of the survey.")] for key in unknown
                    }
                }
            )
        form = AnswerForm(questions, {f"q{key}": value for key, value in given.items()})
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    "answers": {
                        name.removeprefix("q"): errors for name, errors in form.errors.items()
                    }
                }
            )
        try:
            services.response_submit(invitation_id=invitation.pk, answers=form.answers())
        except services.SurveyError as error:
            raise Closed(str(error)) from error
        except ValidationError as error:
            raise exceptions.ValidationError({"answers": error.message_dict}) from error
        return Response(status=status.HTTP_204_NO_CONTENT)
