"""Results pages and exports. HR and administrators see every rated department and export;
a department head sees the results about their own department; anyone else gets a 404."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.spreadsheets import csv_response, xlsx_response
from departments.models import Department, sees_company_reports
from surveys import exports, selectors
from surveys.results import ALL, score_trend, wave_results

WAVES_PER_PAGE = 20
OTHER_GROUP = "other"


def results_index(request: HttpRequest) -> HttpResponse:
    waves = selectors.waves_visible_to(request.user).order_by("-launched_at", "-pk")
    page = Paginator(waves, WAVES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "surveys/results_index.html", {"page": page})


def _visible_wave(request: HttpRequest, pk: int):
    wave = get_object_or_404(selectors.waves_visible_to(request.user), pk=pk)
    scope = selectors.results_departments(request.user, wave)
    rated = None if scope is None else set(scope.values_list("pk", flat=True))
    if rated is not None and not rated:
        raise Http404
    return wave, rated


def _respondent_filter(request: HttpRequest) -> int | str | None:
    value = request.GET.get("respondent", "")
    if value == OTHER_GROUP:
        return None
    if value.isdigit():
        return int(value)
    return ALL


def results(request: HttpRequest, pk: int) -> HttpResponse:
    wave, rated = _visible_wave(request, pk)
    respondent = _respondent_filter(request)
    outcome = wave_results(wave, rated=rated, respondent=respondent)
    trend = score_trend(wave, rated=rated)
    for row in outcome.departments:
        row.trend = trend.get(row.department.pk, [])
    return render(
        request,
        "surveys/results.html",
        {
            "wave": wave,
            "campaign": wave.campaign,
            "results": outcome,
            "respondent": respondent,
            "other_group": OTHER_GROUP,
            "can_export": sees_company_reports(request.user),
            "likert_questions": [
                question for question in wave.campaign.questions.all() if question.scale
            ],
        },
    )


def department_results(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    wave, rated = _visible_wave(request, pk)
    department = get_object_or_404(Department, code=code)
    if rated is not None and department.pk not in rated:
        raise Http404
    respondent = _respondent_filter(request)
    outcome = wave_results(wave, rated={department.pk}, respondent=respondent, with_comments=True)
    if not outcome.departments:
        raise Http404
    return render(
        request,
        "surveys/department_results.html",
        {
            "wave": wave,
            "campaign": wave.campaign,
            "department": department,
            "row": outcome.departments[0],
            "results": outcome,
            "respondent": respondent,
            "other_group": OTHER_GROUP,
            "trend": score_trend(wave, rated={department.pk}).get(department.pk, []),
        },
    )


def export(request: HttpRequest, pk: int, what: str, extension: str) -> HttpResponse:
    """CSV or XLSX of a wave's aggregates or raw responses: HR and administrators only."""
    if not sees_company_reports(request.user):
        raise Http404
    wave = get_object_or_404(selectors.waves_visible_to(request.user), pk=pk)
    rows = exports.aggregate_rows(wave) if what == "results" else exports.response_rows(wave)
    filename = exports.export_filename(wave, what, extension, timezone.localdate())
    if extension == "csv":
        return csv_response(rows, filename=filename)
    title = _("Results") if what == "results" else _("Responses")
    return xlsx_response(rows, filename=filename, sheet_title=title)
