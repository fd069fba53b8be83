"""Which links of the main navigation a person sees: only the pages they can use. A hidden link
is no permission; each page still refuses whoever may not use it. Read once per request, lazily
(only a page that renders the navigation pays), in one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from agreements.models import ApprovalStep
from departments.models import Delegation, Membership
from feedback.models.action_plans import Action
from recognition.models import Cycle
from tickets.models import Approval


@dataclass(frozen=True)
class Navigation:
    queue: bool = False  # agents and heads
    approvals: bool = False  # heads, named approvers, delegates, anyone with a step to decide
    dashboards: bool = False  # heads and their delegates, HR
    surveys: bool = False  # HR
    recognition: bool = False  # HR: recognition cycles
    awards: bool = False  # everyone, once a recognition cycle is published
    feedback: bool = False  # everyone signed in: complaints and suggestions
    disputes: bool = False  # heads and their delegates: disputes of breaches to open or decide
    plans: bool = False  # heads and their delegates, HR, and whoever owns an open action


def navigation_for(user) -> Navigation:
    """The optional links `user` sees; administrators see them all."""
    if not user.is_authenticated:
        return Navigation()
    if user.is_superuser:
        return Navigation(
            queue=True,
            approvals=True,
            dashboards=True,
            surveys=True,
            recognition=True,
            awards=Cycle.objects.published().exists(),
            feedback=True,
            disputes=True,
            plans=True,
        )
    today = timezone.localdate()
    person = OuterRef("pk")
    delegates_for = Delegation.objects.in_force(today).filter(delegate=person)
    roles = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            works_queue=Exists(Membership.objects.agents().filter(user=person)),
            heads=Exists(Membership.objects.heads().filter(user=person)),
            deputises_head=Exists(
                Membership.objects.heads().filter(
                    user__in=Delegation.objects.in_force(today)
                    .filter(delegate=OuterRef(OuterRef("pk")))
                    .values("person")
                )
            ),
            deputises=Exists(delegates_for),
            named_approver=Exists(ApprovalStep.objects.filter(person=person)),
            has_step_to_decide=Exists(
                Approval.objects.filter(approver=person, decision="", current_since__isnull=False)
            ),
            # `sees_company_reports` (departments.view_company_reports, mostly through the HR
            # group) in the same query rather than the two of loading every permission.
            company_reports=Exists(
                Permission.objects.filter(
                    content_type__app_label="departments", codename="view_company_reports"
                ).filter(Q(user=person) | Q(group__user=person))
            ),
            awards_published=Exists(Cycle.objects.published()),
            owns_action=Exists(Action.objects.open().filter(owner=person)),
        )
        .first()
    )
    if roles is None or not user.is_active:
        return Navigation()
    hr = roles["company_reports"]
    return Navigation(
        queue=roles["works_queue"],
        approvals=roles["heads"]
        or roles["deputises"]
        or roles["named_approver"]
        or roles["has_step_to_decide"],
        dashboards=hr or roles["heads"] or roles["deputises_head"],
        surveys=hr,
        recognition=hr,
        awards=roles["awards_published"],
        feedback=True,
        disputes=roles["heads"] or roles["deputises_head"],
        plans=hr or roles["heads"] or roles["deputises_head"] or roles["owns_action"],
    )


def navigation(request: HttpRequest) -> dict:
    """Context processor: `nav`, the links the signed-in person sees."""
    return {"nav": SimpleLazyObject(lambda: navigation_for(request.user))}
