"""Pages of the requests app: filing, my requests, the queue, the approvals awaiting someone, and
approvals through e-mailed links (the request page and its actions are in tickets.request_page).

Every view reads requests through `Ticket.objects.visible_to`, so a request someone may not see
is a 404 wherever they look; operations go through tickets.services, whose errors become
409 (the request changed meanwhile), 400 (not allowed now, or invalid) or 403 (not yours)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from agreements.models import Priority, Service
from common.pagination import CappedPaginator
from departments.models import Department, Membership, acting_for
from tickets import saved_views, selectors, services
from tickets.approval_links import InvalidApprovalLink, approval_from_token
from tickets.forms import (
    DecisionForm,
    DuePreviewForm,
    MyRequestsFilterForm,
    QueueFilterForm,
    TicketForm,
    choose_preview,
)
from tickets.models import Status, Ticket
from tickets.queue_forms import BULK_LIMIT, BulkActionForm
from tickets.services import StaleTicket, TicketError
from tickets.uploads import atomic_with_files

REQUESTS_PER_PAGE = 25
INCOMPLETE = gettext_lazy("The form was incomplete; reload the page and try again.")
# Filing -----------------------------------------------------------------------------------------


def ticket_new(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service.objects.active().select_related("provider"), pk=pk)
    # "Preview due times" (the page without JavaScript) shows the form again as typed.
    previewing = request.method == "POST" and "preview" in request.POST
    if previewing:
        form = TicketForm(initial=request.POST.dict(), service=service, user=request.user)
    else:
        form = TicketForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            service=service,
            user=request.user,
        )
    status = 200
    if request.method == "POST" and not previewing:
        status = 400
        if form.is_valid():
            try:
                ticket = _file_with_attachments(request.user, service, form)
            except ValidationError as error:
                form.add_service_error(error)
            except (TicketError, PermissionDenied) as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request, _("Request %(reference)s filed.") % {"reference": ticket.reference}
                )
                return redirect(ticket)
    customer, priority = form.preview_choice()
    context = {"service": service, "form": form, "departments": form.departments}
    typed = DuePreviewForm(request.POST or None, service=service)
    answers = typed.answers() if typed.is_valid() else {}
    context.update(_due_preview_context(service, customer, priority, answers))
    return render(request, "tickets/ticket_form.html", context, status=status)


@atomic_with_files()
def _file_with_attachments(user, service: Service, form: TicketForm) -> Ticket:
    """File the request and keep its files, all or nothing."""
    data = form.cleaned_data
    ticket = services.ticket_file(
        requester=user,
        service=service,
        customer=data["customer"],
        title=data["title"],
        description=data["description"],
        priority=data["priority"],
        answers=form.answers(),
    )
    for upload in form.uploads():
        services.ticket_attach(ticket_id=ticket.pk, by=user, upload=upload)
    return ticket


def due_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The due times filing now would promise, for the department and priority chosen: a
    fragment for htmx, a small page otherwise."""
    service = get_object_or_404(Service.objects.active().select_related("provider"), pk=pk)
    departments = list(Department.objects.filter(memberships__user=request.user).order_by("name"))
    form = DuePreviewForm(request.GET, service=service)
    valid = form.is_valid()
    # What is invalid is reported, and the preview falls back to the defaults for it.
    customer, priority = choose_preview(
        departments,
        service,
        str(form.cleaned_data.get("customer") or ""),
        form.cleaned_data.get("priority") or "",
    )
    context = {"service": service, "departments": departments, "filter_form": form}
    answers = form.answers() if valid else {}
    context.update(_due_preview_context(service, customer, priority, answers))
    template = "tickets/_due_preview.html" if request.htmx else "tickets/due_preview.html"
    response = render(request, template, context, status=200 if valid else 400)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _due_preview_context(
    service: Service, customer: Department | None, priority: str, answers: dict
) -> dict:
    due = None
    if customer is not None:
        due = services.preview_due_times(
            service=service,
            customer=customer,
            priority=priority,
            at=timezone.now(),
            answers=answers,
        )
    return {
        "due": due,
        "preview_customer": customer,
        "preview_priority": Priority(priority).label,
    }


# Lists ------------------------------------------------------------------------------------------


def my_requests(request: HttpRequest) -> HttpResponse:
    form = MyRequestsFilterForm(request.GET)
    context = {"filter_form": form, "statuses": Status.choices}
    if not form.is_valid():
        return render(request, "tickets/my_requests.html", context, status=400)
    status = form.cleaned_data["status"]
    page = _page(request, selectors.my_requests(request.user, status))
    selectors.set_urgency(page.object_list, timezone.now())
    context.update(page=page, status=status)
    return render(request, "tickets/my_requests.html", context)


def queue(request: HttpRequest) -> HttpResponse:
    departments = list(selectors.queue_departments(request.user))
    if not departments:
        return render(request, "tickets/queue.html", {"departments": []})
    view = saved_views.chosen_view(request)
    if view is not None and view.department_id not in {d.pk for d in departments}:
        raise Http404(_("You no longer work this view's queue."))
    form = QueueFilterForm(saved_views.queue_query(view, request) if view else request.GET)
    valid = form.is_valid()
    code = form.cleaned_data.get("department", "").lower()
    department = next((d for d in departments if d.code.lower() == code), departments[0])
    agents = Membership.objects.agents().filter(department=department).select_related("user")
    problems = saved_views.view_problems(view, form, department) if view else []
    context = {
        "views": saved_views.queue_views(request.user, department, view),
        "view_problems": problems,
        "bulk_form": BulkActionForm(),
        "bulk_limit": BULK_LIMIT,
        "can_take": any(membership.user_id == request.user.pk for membership in agents),
        # The queue's actions come back to the queue as it is filtered now.
        "back_query": f"?{request.GET.urlencode()}" if request.GET else "",
        "filter_form": form,
        "departments": departments,
        "department": department,
        "filters": selectors.QueueFilters(),
        "statuses": Status.choices,
        "services": department.services.order_by("name"),
        "priorities": Priority.choices,
        "agents": [membership.user for membership in agents],
    }
    if not valid or problems:
        return render(request, "tickets/queue.html", context, status=400)
    filters = selectors.QueueFilters(
        status=form.cleaned_data["status"],
        service=form.cleaned_data["service"],
        priority=form.cleaned_data["priority"],
        assignee=form.cleaned_data["assignee"],
    )
    page = _page(request, selectors.queue(request.user, department, filters))
    selectors.set_urgency(page.object_list, timezone.now())
    context.update(page=page, filters=filters)
    return render(request, "tickets/queue.html", context)


def awaiting_approval(request: HttpRequest) -> HttpResponse:
    approvals = selectors.awaiting_approval(request.user, timezone.localdate())
    return render(request, "tickets/awaiting_approval.html", {"page": _page(request, approvals)})


def _page(request: HttpRequest, rows):
    """A page of `rows`, counted up to 1,000 (common.pagination): a long queue is not counted."""
    page = CappedPaginator(rows, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


# Approval links ---------------------------------------------------------------------------------

LINK_STATUS = {"expired": 410, "used": 410, "closed": 410, "invalid": 404}


# The page is the approver's own wherever it is served: not kept by browsers or proxies.
@cache_control(private=True, no_store=True)
def approval_link(request: HttpRequest, token: str) -> HttpResponse:
    """A link e-mailed to an approver: GET shows what to decide, only POST decides."""
    try:
        approval = approval_from_token(token)
    except InvalidApprovalLink as error:
        reason = str(error) if str(error) in LINK_STATUS else "invalid"
        return render(
            request,
            "tickets/approval_link_invalid.html",
            {"reason": reason},
            status=LINK_STATUS[reason],
        )
    if approval.approver_id not in acting_for(request.user, timezone.localdate()):
        return render(
            request,
            "tickets/approval_link_invalid.html",
            {"reason": "not_yours", "approver": approval.approver},
            status=403,
        )
    ticket = Ticket.objects.select_related("service", "provider", "customer", "requester").get(
        pk=approval.ticket_id
    )
    form = DecisionForm(request.POST if request.method == "POST" else None)
    problem, status = "", 200
    if request.method == "POST":
        problem, status = str(INCOMPLETE), 400
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                services.approval_decide(
                    approval_id=approval.pk,
                    by=request.user,
                    approve=approve,
                    comment=form.cleaned_data["comment"],
                )
            except StaleTicket as error:
                problem, status = str(error), 409
            except TicketError as error:
                problem, status = str(error), 400
            except PermissionDenied as error:
                problem, status = str(error), 403
            except ValidationError as error:
                problem, status = " ".join(error.messages), 400
            else:
                messages.success(request, _("Approved.") if approve else _("Rejected."))
                return redirect(ticket)
    return render(
        request,
        "tickets/approval_link.html",
        {
            "approval": approval,
            "ticket": ticket,
            "steps": ticket.approvals.count(),
            "problem": problem,
            "comment": request.POST.get("comment", ""),
        },
        status=status,
    )
