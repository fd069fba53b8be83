"""Pages of the dashboards: the department dashboard (as supplier or customer), the requests
behind each of its figures, the company scorecard, and their tables as CSV or XLSX.

A department's dashboard is a 404 for anyone who may not see it (dashboards.access); the requests
behind a figure are further limited to those the reader may see (`Ticket.objects.visible_to`)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agreements.models import Priority, Service
from common.spreadsheets import csv_response, xlsx_response
from dashboards import approvals, charts, exports, selectors
from dashboards.access import dashboard_departments, may_see_scorecard
from dashboards.freshness import generation
from dashboards.periods import Period, PeriodForm
from dashboards.scorecard import company_facts, heat_map, scorecard
from departments.models import Department
from tickets.selectors import set_urgency

REQUESTS_PER_PAGE = 25
# How long a department dashboard is reused: its page says "Figures as of <time>", and at a
# million requests one costs 0.4-0.6 s of PostgreSQL (bench/README.md, "Load test").
DASHBOARD_SECONDS = 60


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "dashboards/index.html",
        {
            "departments": dashboard_departments(request.user, today),
            "scorecard": may_see_scorecard(request.user, today),
        },
    )


def _department(request: HttpRequest, code: str) -> Department:
    return get_object_or_404(
        dashboard_departments(request.user, timezone.localdate()), code__iexact=code
    )


def _choices(request: HttpRequest) -> dict:
    """The period and side asked for in the URL, as the page and its links need them."""
    form = PeriodForm(request.GET)
    period = form.chosen(timezone.localdate())
    kind = form.chosen_kind()
    side = request.GET.get("view", "")
    return {
        "form": form,
        "period": period,
        "kind": kind,
        # Every link of the page (figures, exports) keeps the period and the kind.
        "period_query": {**period.query(), **({"kind": kind} if kind else {})},
        "side": side if side in selectors.SIDES else selectors.SUPPLIER,
    }


def department_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    department = _department(request, code)
    context = _choices(request)
    context["department"] = department
    dashboard = _recent_dashboard(department, context["side"], context["period"], context["kind"])
    approvers = approvals.department_approvers(department, context["period"], timezone.now())
    context.update(
        dashboard=dashboard,
        trend_chart=charts.trend_chart(dashboard),
        services_chart=charts.services_chart(dashboard),
        approvers=approvers,
        approvals_total=approvals.total(approvers),
    )
    template = "dashboards/_dashboard.html" if request.htmx else "dashboards/dashboard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _recent_dashboard(
    department: Department, side: str, period: Period, kind: str = ""
) -> selectors.Dashboard:
    """The dashboard of `department` counted within the last DASHBOARD_SECONDS, from Django's
    cache, or counted now. The dashboard is the same for everyone who may see it (the caller has
    checked that the reader may), so one count serves every reader of that minute; what the
    reader may open behind each figure is scoped again on the requests' page. A change of the
    department's figures (a waiver) moves it to a new generation (dashboards.freshness)."""
    generation_now = generation(department.pk)
    key = f"dashboard:{department.pk}:{generation_now}:{side}:{period.first}:{period.last}:{kind}"
    dashboard = cache.get(key)
    if dashboard is None:
        dashboard = selectors.department_dashboard(department, side, period, timezone.now(), kind)
        cache.set(key, dashboard, DASHBOARD_SECONDS)
    return dashboard


def requests(request: HttpRequest, code: str) -> HttpResponse:
    """The requests behind one figure of a dashboard, filtered as the figure's link says."""
    department = _department(request, code)
    context = _choices(request)
    drill = selectors.Drill.from_query(request.GET)
    now = timezone.now()
    tickets = selectors.drill_requests(
        request.user,
        department,
        context["side"],
        context["period"],
        drill,
        now,
        context["kind"],
    )
    page = Paginator(tickets, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    set_urgency(page.object_list, now)
    back = {**context["period_query"], "view": context["side"]}
    context.update(
        department=department,
        drill=drill,
        filter_labels=_describe(drill, context["side"], department),
        back_query=urlencode(back),
        page=page,
        # HR and deputies see the figures, but only the requests they take part in.
        partial_view=not request.user.is_superuser and not department.is_headed_by(request.user),
    )
    return render(request, "dashboards/requests.html", context)


def _describe(drill: selectors.Drill, side: str, department: Department) -> list[str]:
    """What a list of requests behind a figure is narrowed to, in words."""
    labels = []
    target = {"first_response": _("First response"), "resolution": _("Resolution")}.get(
        drill.target, _("Either target")
    )
    outcome = {
        "met": _("met"),
        "breached": _("breached"),
        "pending": _("pending"),
        "waived": _("waived"),
    }
    approval = {**outcome, "pending": _("still running")}
    if drill.outcome:
        labels.append(f"{target}: {outcome[drill.outcome]}")
    states = {
        "no_agreement": _("Without an agreement"),
        "rated": _("Rated"),
        "open": _("Open"),
        "overdue": _("Overdue"),
        "unassigned": _("Unassigned"),
        "at_risk": _("About to breach (past their warning threshold)"),
    }
    if drill.state:
        labels.append(states[drill.state])
    if drill.service:
        name = Service.objects.filter(pk=drill.service).values_list("name", flat=True).first()
        labels.append(_("Service: %(name)s") % {"name": name or "?"})
    if drill.other:
        name = Department.objects.filter(pk=drill.other).values_list("name", flat=True).first()
        other = _("Supplier: %(name)s") if side == selectors.CUSTOMER else _("Customer: %(name)s")
        labels.append(other % {"name": name or "?"})
    if drill.priority in Priority.values:
        labels.append(Priority(drill.priority).label)
    if drill.week:
        labels.append(_("Week of %(day)s") % {"day": drill.week.isoformat()})
    if drill.approval:
        labels.append(_("Approval windows: %(outcome)s") % {"outcome": approval[drill.approval]})
    if drill.approver:
        members = get_user_model().objects.filter(memberships__department=department)
        person = members.filter(pk=drill.approver).first()
        name = (person.get_full_name() or person.get_username()) if person else "?"
        labels.append(_("Approver: %(name)s") % {"name": name})
    return labels


def export(request: HttpRequest, code: str, table: str, fmt: str) -> HttpResponse:
    """A table of a department dashboard, or the requests behind a figure, as CSV or XLSX."""
    department = _department(request, code)
    context = _choices(request)
    now = timezone.now()
    if table == "requests":
        drill = selectors.Drill.from_query(request.GET)
        tickets = selectors.drill_requests(
            request.user,
            department,
            context["side"],
            context["period"],
            drill,
            now,
            context["kind"],
        )
        rows = exports.request_rows(tickets)
    elif table == "approvals":
        approvers = approvals.department_approvers(department, context["period"], now)
        rows = exports.approval_rows(approvers)
    elif table in exports.DASHBOARD_TABLES:
        dashboard = selectors.department_dashboard(
            department, context["side"], context["period"], now, context["kind"]
        )
        rows = exports.dashboard_rows(dashboard, table)
    else:
        raise Http404
    period = context["period"]
    name = f"{department.code}-{context['side']}-{table}-{period.first}-{period.last}"
    return _download(rows, name, fmt, sheet_title=table)


def company_scorecard(request: HttpRequest) -> HttpResponse:
    if not may_see_scorecard(request.user, timezone.localdate()):
        raise Http404
    context = _choices(request)
    now = timezone.now()
    company = company_facts(context["period"], now, context["kind"])
    context.update(rows=scorecard(company), heat_map=heat_map(company), company=company)
    context["previous"] = context["period"].previous()
    template = "dashboards/_scorecard.html" if request.htmx else "dashboards/scorecard.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def scorecard_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if not may_see_scorecard(request.user, timezone.localdate()):
        raise Http404
    choices = _choices(request)
    period, kind = choices["period"], choices["kind"]
    now = timezone.now()
    if table == "scorecard":
        rows = exports.scorecard_rows(scorecard(company_facts(period, now, kind)))
    elif table == "heatmap":
        rows = exports.heat_map_rows(heat_map(company_facts(period, now, kind)))
    else:
        raise Http404
    return _download(rows, f"{table}-{period.first}-{period.last}", fmt, sheet_title=table)


def _download(rows, name: str, fmt: str, *, sheet_title: str) -> HttpResponse:
    if fmt == "csv":
        return csv_response(rows, filename=f"{name}.csv")
    if fmt == "xlsx":
        return xlsx_response(rows, filename=f"{name}.xlsx", sheet_title=sheet_title)
    raise Http404(_("Unknown format."))
