"""The pages of recognition: HR's cycles (candidates, awards, publishing), the awards page that
everyone signed in sees once a cycle is published, and its export.

A cycle someone may not see is a 404 (drafts are HR's); a person's figures show only to them,
their heads and HR (recognition.selectors.with_figures_for), on the page and in the export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.spreadsheets import csv_response, xlsx_response
from recognition import candidates, exports, selectors, services
from recognition.access import may_run_cycles
from recognition.forms import AwardForm, CycleForm, PageForm, last_quarter, quarter_name
from recognition.models import Cycle
from recognition.services import RecognitionError

PER_PAGE = 10


def _require_hr(request: HttpRequest) -> None:
    if not may_run_cycles(request.user):
        raise Http404(_("Recognition cycles are run by HR."))


def _page(request: HttpRequest, rows) -> tuple:
    query = PageForm(request.GET)
    valid = query.is_valid()
    number = (query.cleaned_data.get("page") if valid else None) or 1
    return Paginator(rows, PER_PAGE).get_page(number), valid


def cycle_list(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    page, valid = _page(request, Cycle.objects.order_by("-ends_on", "-pk"))
    return render(
        request, "recognition/cycle_list.html", {"page": page}, status=200 if valid else 400
    )


def cycle_new(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    if request.method == "POST":
        form = CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = services.cycle_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                return redirect(cycle)
    else:
        first, last = last_quarter(timezone.localdate())
        form = CycleForm(initial={"name": quarter_name(first), "starts_on": first, "ends_on": last})
    status = 400 if form.is_bound else 200
    return render(request, "recognition/cycle_new.html", {"form": form}, status=status)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def cycle_detail(request: HttpRequest, pk: int, *, award_form=None, status=200) -> HttpResponse:
    """HR's page of a cycle: its awards, then the candidates to pick from while it is a draft."""
    _require_hr(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    context = {
        "cycle": cycle,
        "awards": selectors.with_figures_for(request.user, selectors.awards_of(cycle)),
        "award_form": award_form or AwardForm(),
        "can_withdraw": not cycle.is_published,
    }
    if not cycle.is_published:
        context["departments"] = [
            (candidate, selectors.figure_list(candidate.figures, candidates.DEPARTMENT_FIGURES))
            for candidate in candidates.department_candidates(cycle, timezone.now())
        ]
        context["people"] = [
            (candidate, selectors.figure_list(candidate.figures, candidates.PERSON_FIGURES))
            for candidate in candidates.person_candidates(cycle)
        ]
        context["department_labels"] = candidates.DEPARTMENT_FIGURES.values()
        context["person_labels"] = candidates.PERSON_FIGURES.values()
    return render(request, "recognition/cycle_detail.html", context, status=status)


def _run(request: HttpRequest, cycle: Cycle, operation, success: str) -> HttpResponse:
    try:
        operation()
    except (RecognitionError, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return cycle_detail(request, cycle.pk, status=400)
    except PermissionDenied as error:
        raise Http404 from error
    messages.success(request, success)
    return redirect(cycle)


@require_POST
def award_add(request: HttpRequest, pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    form = AwardForm(request.POST)
    if not form.is_valid():
        return cycle_detail(request, cycle.pk, award_form=form, status=400)
    return _run(
        request,
        cycle,
        lambda: services.award_add(cycle_id=cycle.pk, by=request.user, **form.cleaned_data),
        _("Award added."),
    )


@require_POST
def award_withdraw(request: HttpRequest, pk: int, award_id: int) -> HttpResponse:
    _require_hr(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    award = get_object_or_404(cycle.awards, pk=award_id)
    return _run(
        request,
        cycle,
        lambda: services.award_withdraw(award_id=award.pk, by=request.user),
        _("Award withdrawn."),
    )


@require_POST
def cycle_publish(request: HttpRequest, pk: int) -> HttpResponse:
    _require_hr(request)
    cycle = get_object_or_404(Cycle, pk=pk)
    return _run(
        request,
        cycle,
        lambda: services.cycle_publish(cycle_id=cycle.pk, by=request.user),
        _("Published: everyone can see these awards now."),
    )


# Awards, for everyone ----------------------------------------------------------------------


def awards(request: HttpRequest) -> HttpResponse:
    """The published cycles, latest first, with their awards."""
    page, valid = _page(request, Cycle.objects.published().order_by("-ends_on", "-pk"))
    for cycle in page.object_list:
        cycle.shown_awards = selectors.with_figures_for(request.user, selectors.awards_of(cycle))
    return render(request, "recognition/awards.html", {"page": page}, status=200 if valid else 400)


def awards_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The awards of a cycle as CSV or XLSX, for payroll or performance systems: published
    cycles for everyone, drafts for HR; figures as on the page."""
    cycle = get_object_or_404(selectors.cycles_visible_to(request.user), pk=pk)
    shown = selectors.with_figures_for(request.user, selectors.awards_of(cycle))
    rows = exports.award_rows(cycle, shown)
    name = f"awards-{cycle.starts_on}-{cycle.ends_on}"
    if fmt == "csv":
        return csv_response(rows, filename=f"{name}.csv")
    if fmt == "xlsx":
        return xlsx_response(rows, filename=f"{name}.xlsx", sheet_title=cycle.name)
    raise Http404(_("Unknown format."))
