"""Results pages and exports. HR and administrators see every rated department and export;
a department head sees the results about their own department; anyone else gets a 404.

While an anonymous campaign's wave is open its pages show only response counts, and its exports
are refused: results appear when the wave closes (Wave.results_released). Query parameters are
read through forms (surveys.forms); a value they refuse is a 400 that shows the error."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from common.spreadsheets import csv_response, xlsx_response
from departments.models import Department, sees_company_reports
from surveys import exports, result_panels, selectors
from surveys.forms import OTHER_GROUP, PageForm, ResultsFilterForm
from surveys.results import ALL, score_trend, wave_progress, wave_results

WAVES_PER_PAGE = 20


def _query(form_class: type[forms.Form], request: HttpRequest) -> tuple[forms.Form, int]:
    """The page's query parsed by its form, and the status to answer with (400 if refused)."""
    form = form_class(request.GET)
    return form, 200 if form.is_valid() else 400


def results_index(request: HttpRequest) -> HttpResponse:
    query, status = _query(PageForm, request)
    number = query.cleaned_data.get("page") if status == 200 else 1
    waves = selectors.waves_visible_to(request.user).order_by("-launched_at", "-pk")
    page = Paginator(waves, WAVES_PER_PAGE).get_page(number)
    return render(
        request, "surveys/results_index.html", {"page": page, "query": query}, status=status
    )


def _visible_wave(request: HttpRequest, pk: int):
    wave = get_object_or_404(selectors.waves_visible_to(request.user), pk=pk)
    scope = selectors.results_departments(request.user, wave)
    rated = None if scope is None else set(scope.values_list("pk", flat=True))
    if rated is not None and not rated:
        raise Http404
    return wave, rated


def _context(wave, query: forms.Form) -> dict:
    respondent = query.cleaned_data.get("respondent", ALL) if query.is_valid() else ALL
    released = wave.results_released(timezone.now())
    return {
        "wave": wave,
        "campaign": wave.campaign,
        "query": query,
        "respondent": respondent,
        "other_group": OTHER_GROUP,
        "released": released,
        "release_notice": "" if released else release_notice(wave),
    }


def results(request: HttpRequest, pk: int) -> HttpResponse:
    wave, rated = _visible_wave(request, pk)
    query, status = _query(ResultsFilterForm, request)
    context = _context(wave, query)
    if not context["released"]:
        context["progress"], context["progress_total"] = wave_progress(wave, rated=rated)
        return render(request, "surveys/results.html", context, status=status)
    outcome = wave_results(wave, rated=rated, respondent=context["respondent"])
    trend = score_trend(wave, rated=rated)
    for row in outcome.departments:
        row.trend = trend.get(row.department.pk, [])
    context |= {
        "results": outcome,
        "can_export": sees_company_reports(request.user),
        "likert_questions": [
            question for question in wave.campaign.questions.all() if question.scale
        ],
    }
    return render(request, "surveys/results.html", context, status=status)


def department_results(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    wave, rated = _visible_wave(request, pk)
    department = get_object_or_404(Department, code=code)
    if rated is not None and department.pk not in rated:
        raise Http404
    query, status = _query(ResultsFilterForm, request)
    context = _context(wave, query) | {"department": department}
    if not context["released"]:
        progress, _total = wave_progress(wave, rated={department.pk})
        if not progress:
            raise Http404
        context["progress"] = progress[0]
        return render(request, "surveys/department_results.html", context, status=status)
    outcome = wave_results(
        wave, rated={department.pk}, respondent=context["respondent"], with_comments=True
    )
    if not outcome.departments:
        raise Http404
    row = outcome.departments[0]
    panels = {} if row.hidden else result_panels.question_panels(request.user, wave, department)
    for result in row.questions:
        result.panels = panels.get(result.question.pk, [])
    context |= {
        "row": row,
        "results": outcome,
        "trend": score_trend(wave, rated={department.pk}).get(department.pk, []),
    }
    return render(request, "surveys/department_results.html", context, status=status)


def export(request: HttpRequest, pk: int, what: str, extension: str) -> HttpResponse:
    """CSV or XLSX of a wave's aggregates or raw responses: HR and administrators only, and of
    an anonymous campaign's wave only once it has closed."""
    if not sees_company_reports(request.user):
        raise Http404
    wave = get_object_or_404(selectors.waves_visible_to(request.user), pk=pk)
    if not wave.results_released(timezone.now()):
        messages.warning(request, release_notice(wave))
        return redirect(wave)
    rows = exports.aggregate_rows(wave) if what == "results" else exports.response_rows(wave)
    filename = exports.export_filename(wave, what, extension, timezone.localdate())
    if extension == "csv":
        return csv_response(rows, filename=filename)
    title = _("Results") if what == "results" else _("Responses")
    return xlsx_response(rows, filename=filename, sheet_title=title)


def release_notice(wave) -> str:
    """Why an open wave of an anonymous campaign shows no results yet."""
    closes = formats.date_format(timezone.localtime(wave.closes_at), "DATE_FORMAT")
    return _(
        "Results appear when this wave closes on %(closes)s, so that no single answer can be "
        "worked out by comparing two moments."
    ) % {"closes": closes}
