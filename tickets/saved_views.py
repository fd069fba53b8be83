"""Saved views of the queue: a person saves the queue's filters under a name, for themselves or
shared with the department's agents and head; the queue opens one with ?view=<id>. Only its
owner renames or deletes a view; anyone else gets a 404, as for a view they may not see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from departments.models import Department, Membership
from tickets import selectors
from tickets.forms import QueueFilterForm
from tickets.models import SavedView
from tickets.queue_forms import VIEW_FILTERS, SavedViewChoiceForm, SavedViewForm


def view_url(view: SavedView) -> str:
    return f"{reverse('tickets:queue')}?view={view.pk}"


@dataclass
class QueueViews:
    """The saved views the queue offers a person in one department, and the one open."""

    mine: list[SavedView] = field(default_factory=list)
    shared: list[SavedView] = field(default_factory=list)
    current: SavedView | None = None


def chosen_view(request: HttpRequest) -> SavedView | None:
    """The saved view named by ?view=, if any: 404 when it is not one the person sees."""
    form = SavedViewChoiceForm(request.GET)
    if not form.is_valid():
        raise Http404(_("No such saved view."))
    pk = form.cleaned_data["view"]
    if pk is None:
        return None
    views = SavedView.objects.visible_to(request.user).select_related("department", "owner")
    return get_object_or_404(views, pk=pk)


def queue_query(view: SavedView, request: HttpRequest) -> QueryDict:
    """The queue's query parameters for a saved view: its filters, in its department, on the
    page asked for."""
    query = QueryDict(mutable=True)
    for name in VIEW_FILTERS:
        value = view.filters.get(name, "") if isinstance(view.filters, dict) else ""
        query[name] = str(value)
    query["department"] = view.department.code
    if "page" in request.GET:
        query["page"] = request.GET["page"]
    return query


def view_problems(view: SavedView, form: QueueFilterForm, department: Department) -> list[str]:
    """Why a saved view's filters no longer apply (a filter value that is no longer valid, a
    service or a person who left the department); [] when they all do."""
    if not isinstance(view.filters, dict):
        return [_("Its filters were damaged.")]
    problems = [str(message) for errors in form.errors.values() for message in errors]
    if form.is_valid():
        service, assignee = form.cleaned_data["service"], form.cleaned_data["assignee"]
        if service and not department.services.filter(pk=service).exists():
            problems.append(_("Its service is no longer one of %(department)s.") % {
                "department": department})  # fmt: skip
        agents = Membership.objects.agents().filter(department=department)
        if isinstance(assignee, int) and not agents.filter(user=assignee).exists():
            problems.append(_("Its assignee no longer works in %(department)s.") % {
                "department": department})  # fmt: skip
    return problems


def queue_views(user, department: Department, current: SavedView | None) -> QueueViews:
    views = SavedView.objects.visible_to(user).filter(department=department)
    views = list(views.select_related("owner"))
    return QueueViews(
        mine=[view for view in views if view.owner_id == user.pk],
        shared=[view for view in views if view.owner_id != user.pk],
        current=current,
    )


@require_POST
def saved_view_new(request: HttpRequest) -> HttpResponse:
    """Save the queue's filters as they were posted (those of the page it was on)."""
    filters = QueueFilterForm(request.POST)
    code = filters.data.get("department", "")
    department = selectors.queue_departments(request.user).filter(code__iexact=str(code)).first()
    if department is None:
        raise Http404(_("You do not work this department's queue."))
    form = SavedViewForm(request.POST, owner=request.user, department=department)
    if not (filters.is_valid() and form.is_valid()):
        context = {"form": form, "filter_form": filters, "department": department}
        return render(request, "tickets/saved_view_form.html", context, status=400)
    form.instance.filters = {name: str(filters.cleaned_data[name] or "") for name in VIEW_FILTERS}
    view = form.save()
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(view_url(view))


def saved_view_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a view of one's own, or share it or not."""
    view = get_object_or_404(
        SavedView.objects.filter(owner=request.user).select_related("department"), pk=pk
    )
    form = SavedViewForm(
        request.POST if request.method == "POST" else None,
        instance=view,
        owner=request.user,
        department=view.department,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(view_url(view))
    status = 400 if form.is_bound else 200
    context = {"form": form, "view": view, "department": view.department}
    return render(request, "tickets/saved_view_form.html", context, status=status)


@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(
        SavedView.objects.filter(owner=request.user).select_related("department"), pk=pk
    )
    code = view.department.code
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(f"{reverse('tickets:queue')}?department={code}")
