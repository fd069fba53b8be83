"""Pages of complaints and suggestions: the list of what a person may see, filing, and one
item's page with the steps the person may take. What a person may not see is 404; a step they
may not take is 403; one taken on a stale page is 409."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from departments.models import sees_company_reports
from feedback import services
from feedback.forms import (
    FeedbackFilterForm,
    FeedbackForm,
    FollowUpForm,
    ResponseForm,
    TicketChoiceForm,
)
from feedback.models.complaints import Feedback
from surveys.selectors import headed_departments

PER_PAGE = 25


def feedback_list(request: HttpRequest) -> HttpResponse:
    filters = FeedbackFilterForm(request.GET)
    items = Feedback.objects.visible_to(request.user).select_related(
        "department", "escalated_to", "complainant"
    )
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            items = items.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["kind"]:
            items = items.filter(kind=filters.cleaned_data["kind"])
        if filters.cleaned_data["mine"]:
            items = items.filter(complainant=request.user)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(item, item.complainant_for(request.user)) for item in page.object_list]
    awaiting = Feedback.objects.awaiting_response_from(request.user).count()
    return render(
        request,
        "feedback/feedback_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "awaiting": awaiting,
            "plans_shown": sees_company_reports(request.user)
            or headed_departments(request.user).exists(),
        },
    )


def feedback_new(request: HttpRequest) -> HttpResponse:
    ticket = None
    choice = TicketChoiceForm(request.GET, user=request.user)
    if "ticket" in request.GET and choice.is_valid():
        ticket = choice.cleaned_data["ticket"]
    if request.method == "POST":
        form = FeedbackForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback = services.feedback_file(
                    by=request.user,
                    kind=data["kind"],
                    subject=data["subject"],
                    text=data["text"],
                    department=data["department"],
                    ticket=data["ticket"],
                    anonymous=data["anonymous"],
                )
            except services.FeedbackError as error:
                form.add_error(None, str(error))
            else:
                return redirect(feedback)
        ticket = form.cleaned_data.get("ticket") if hasattr(form, "cleaned_data") else ticket
    else:
        initial = {"kind": "complaint"}
        if ticket is not None:
            initial.update(ticket=ticket.pk, department=ticket.provider_id)
        form = FeedbackForm(initial=initial, user=request.user)
    return render(request, "feedback/feedback_form.html", {"form": form, "ticket": ticket})


def feedback_detail(request: HttpRequest, pk: int, *, forms=None, status=200) -> HttpResponse:
    feedback = _visible(request, pk)
    forms = forms or {}
    user = request.user
    context = {
        "feedback": feedback,
        "complainant": feedback.complainant_for(user),
        "events": [
            (event, _actor_for(feedback, event, user))
            for event in feedback.events.select_related("actor")
        ],
        "may_respond": services.may_respond(user, feedback),
        "may_follow_up": services.may_follow_up(user, feedback),
        "may_reopen": services.may_follow_up(user, feedback) and feedback.reopened_at is None,
        "may_escalate": services.may_escalate(user, feedback),
        "response_form": forms.get("respond") or ResponseForm(),
        "reopen_form": forms.get("reopen") or FollowUpForm(prefix="reopen"),
        "escalate_form": forms.get("escalate") or FollowUpForm(prefix="escalate"),
        "error": forms.get("error"),
    }
    return render(request, "feedback/feedback_detail.html", context, status=status)


@require_POST
def feedback_respond(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _visible(request, pk)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return feedback_detail(request, pk, forms={"respond": form}, status=400)
    return _step(
        request,
        feedback,
        lambda: services.feedback_respond(
            feedback_id=feedback.pk,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            response=form.cleaned_data["response"],
        ),
    )


@require_POST
def feedback_accept(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _visible(request, pk)
    return _step(
        request,
        feedback,
        lambda: services.feedback_accept(feedback_id=feedback.pk, by=request.user),
    )


@require_POST
def feedback_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _visible(request, pk)
    form = FollowUpForm(request.POST, prefix="reopen")
    if not form.is_valid():
        return feedback_detail(request, pk, forms={"reopen": form}, status=400)
    return _step(
        request,
        feedback,
        lambda: services.feedback_reopen(
            feedback_id=feedback.pk, by=request.user, reason=form.cleaned_data["reason"]
        ),
    )


@require_POST
def feedback_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _visible(request, pk)
    form = FollowUpForm(request.POST, prefix="escalate")
    if not form.is_valid():
        return feedback_detail(request, pk, forms={"escalate": form}, status=400)
    return _step(
        request,
        feedback,
        lambda: services.feedback_escalate(
            feedback_id=feedback.pk, by=request.user, reason=form.cleaned_data["reason"]
        ),
    )


def _step(request: HttpRequest, feedback: Feedback, act) -> HttpResponse:
    try:
        act()
    except services.FeedbackForbidden as error:
        raise PermissionDenied(str(error)) from error
    except services.FeedbackError as error:
        return feedback_detail(
            request, feedback.pk, forms={"error": str(error)}, status=error.status_code
        )
    return redirect(feedback)


def _visible(request: HttpRequest, pk: int) -> Feedback:
    return get_object_or_404(
        Feedback.objects.visible_to(request.user).select_related(
            "department", "escalated_to", "complainant", "ticket", "responded_by", "calendar"
        ),
        pk=pk,
    )


def _actor_for(feedback: Feedback, event, viewer):
    """An event's actor as `viewer` may know them: the complainant's own steps hide them as
    the item does."""
    if event.actor_id is not None and event.actor_id == feedback.complainant_id:
        return feedback.complainant_for(viewer)
    return event.actor
