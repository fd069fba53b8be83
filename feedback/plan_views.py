"""Action plan pages: the list (HR: every plan and the overdue actions; a head: their plans and
the closed waves rating their departments), a department's plan for one closed wave with its
questions weakest first, and an action's edit form. Who may not see a plan gets a 404; HR and
the heads above see it but only the department's head changes it (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from departments.models import Membership, acting_for, sees_company_reports
from feedback.action_progress import action_move, may_move
from feedback.forms import ActionForm, ActionProgressForm
from feedback.models.action_plans import Action, ActionPlan, ActionStatus
from feedback.plans import (
    ActionPlanError,
    action_save,
    plan_figures,
    plan_owners,
    plan_scope,
    ranked_questions,
)
from surveys.models import Invitation
from surveys.selectors import headed_departments

PER_PAGE = 25


def plan_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    headed = headed_departments(user)
    # An owner reads their own actions here (the reminder links to it), not the plans' scores.
    owned = (
        Action.objects.filter(owner=user)
        .open()
        .select_related("plan__department", "plan__wave__campaign", "question")
    )
    # A head's delegate in force moves the actions of the departments the head leads.
    standing_in = (
        Action.objects.movable_by(user, timezone.localdate())
        .open()
        .exclude(owner=user)
        .exclude(plan__department__in=headed)
        .select_related("owner", "plan__department", "question")
    )
    stands_in_for_a_head = (
        Membership.objects.heads().filter(user__in=acting_for(user, timezone.localdate())).exists()
    )
    if not sees_company_reports(user) and not stands_in_for_a_head and not owned.exists():
        raise Http404
    plans = ActionPlan.objects.visible_to(user).select_related("department", "wave__campaign")
    overdue = (
        Action.objects.visible_to(user)
        .overdue(timezone.localdate())
        .filter(plan__in=plans)
        .select_related("owner", "plan__department", "question")
    )
    # The closed waves a head may plan for: one row per wave and rated department they head.
    to_plan = (
        Invitation.objects.filter(rated_department__in=headed, wave__closes_at__lte=timezone.now())
        .values(
            "wave",
            "wave__number",
            "wave__campaign__name",
            "rated_department__code",
            "rated_department__name",
        )
        .distinct()
        .order_by("-wave", "rated_department__name")[:PER_PAGE]
    )
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/plan_list.html",
        {
            "page": page,
            "overdue": overdue[:100],
            "to_plan": to_plan,
            "owned": owned[:100],
            "standing_in": standing_in[:100],
            "today": timezone.localdate(),
        },
    )


def plan_detail(request: HttpRequest, wave: int, code: str) -> HttpResponse:
    wave_, department = plan_scope(request.user, wave, code)
    questions, followed = plan_figures(wave_, department)
    may_change = department.is_headed_by(request.user)
    form = ActionForm(questions=questions, owners=plan_owners(department))
    status = 200
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = ActionForm(request.POST, questions=questions, owners=plan_owners(department))
        if form.is_valid():
            try:
                action_save(by=request.user, wave=wave_, department=department, **form.cleaned_data)
            except ActionPlanError as error:
                form.add_error(None, str(error))
            else:
                return redirect(request.path)
        status = 400
    return render(
        request,
        "feedback/plan_detail.html",
        {
            "wave": wave_,
            "department": department,
            "questions": questions,
            "followed": followed,
            "form": form if may_change and questions else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(
        Action.objects.filter(plan__in=ActionPlan.objects.visible_to(request.user)).select_related(
            "plan__wave__campaign", "plan__department"
        ),
        pk=pk,
    )
    wave, department = action.plan.wave, action.plan.department
    if not department.is_headed_by(request.user):
        raise PermissionDenied
    questions = ranked_questions(wave, department)
    owners = plan_owners(department)
    status = 200
    if request.method == "POST":
        form = ActionForm(request.POST, questions=questions, owners=owners)
        if form.is_valid():
            try:
                action_save(
                    by=request.user,
                    wave=wave,
                    department=department,
                    action=action,
                    **form.cleaned_data,
                )
            except ActionPlanError as error:
                form.add_error(None, str(error))
                status = error.status_code
            else:
                return redirect(reverse("feedback:plan", args=[wave.pk, department.code]))
        else:
            status = 400
    else:
        form = ActionForm(
            questions=questions,
            owners=owners,
            initial={
                "question": action.question_id,
                "what": action.what,
                "owner": action.owner_id,
                "due_on": action.due_on,
                "status": action.status,
                "version": action.version,
            },
        )
    return render(
        request,
        "feedback/action_form.html",
        {"action": action, "wave": wave, "department": department, "form": form},
        status=status,
    )


def action_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """An action and its trail; its owner, the department's head or the head's delegate in force
    moves it along here (403 for the others who see it, 404 for everyone else)."""
    action = get_object_or_404(
        Action.objects.visible_to(request.user).select_related(
            "owner", "question", "plan__department", "plan__wave__campaign"
        ),
        pk=pk,
    )
    may = may_move(request.user, action) and action.status != ActionStatus.DROPPED
    form = ActionProgressForm(initial={"status": action.status, "version": action.version})
    status = 200
    if request.method == "POST":
        if not may_move(request.user, action):
            raise PermissionDenied
        form = ActionProgressForm(request.POST)
        if form.is_valid():
            try:
                action_move(
                    action_id=action.pk,
                    by=request.user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data["version"],
                )
            except ActionPlanError as error:
                form.add_error(None, str(error))
                status = error.status_code
            else:
                return redirect(request.path)
        else:
            status = 400
    return render(
        request,
        "feedback/action_progress.html",
        {
            "action": action,
            "events": action.events.select_related("actor"),
            "form": form if may else None,
            "today": timezone.localdate(),
        },
        status=status,
    )
