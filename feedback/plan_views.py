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

from departments.models import sees_company_reports
from feedback.forms import ActionForm
from feedback.models import Action, ActionPlan
from feedback.plans import (
    ActionPlanError,
    action_save,
    plan_owners,
    plan_scope,
    previous_actions,
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
    if not sees_company_reports(user) and not headed.exists() and not owned.exists():
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
            "today": timezone.localdate(),
        },
    )


def plan_detail(request: HttpRequest, wave: int, code: str) -> HttpResponse:
    wave_, department = plan_scope(request.user, wave, code)
    questions = ranked_questions(wave_, department)
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
            "followed": previous_actions(wave_, department, questions),
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
            else:
                return redirect(reverse("feedback:plan", args=[wave.pk, department.code]))
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
            },
        )
    return render(
        request,
        "feedback/action_form.html",
        {"action": action, "wave": wave, "department": department, "form": form},
        status=status,
    )
