"""Action plans on survey results: which plans a person may open, a department's questions of a
closed wave ranked weakest first (with the result pages' anonymity suppression), and saving an
action. A plan exists once its first action is saved."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from http import HTTPStatus

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import DomainError
from departments.models import Department, Membership
from feedback.action_trail import action_state, record_changes
from feedback.models.action_plans import Action, ActionEvent, ActionPlan, ActionStatus
from surveys.models import CampaignQuestion, Wave
from surveys.results import wave_results
from surveys.selectors import results_departments, waves_visible_to


class ActionPlanError(DomainError):
    """An action that is refused."""


class ActionForbidden(ActionPlanError):
    """The person sees the action but may not make this change."""

    status_code = HTTPStatus.FORBIDDEN


class StaleAction(ActionPlanError):
    """The action changed since it was read."""

    status_code = HTTPStatus.CONFLICT


@dataclass
class RankedQuestion:
    question: CampaignQuestion
    mean: float
    answers: int
    actions: list[Action]


def plan_scope(user, wave_pk: int, code: str) -> tuple[Wave, Department]:
    """The closed wave and the rated department whose plan `user` may open; Http404 otherwise
    (the same people who see the department's results: its head, HR, administrators)."""
    wave = waves_visible_to(user).filter(pk=wave_pk).first()
    if wave is None or wave.is_open(timezone.now()):
        raise Http404
    scope = results_departments(user, wave)
    rated = wave.invitations.values("rated_department") if scope is None else scope.values("pk")
    department = Department.objects.filter(code=code, pk__in=rated).first()
    if department is None:
        raise Http404
    return wave, department


def ranked_questions(wave: Wave, department: Department) -> list[RankedQuestion]:
    """The scored questions of `wave` about `department`, lowest mean first; a question whose
    figures the results page hides (too few respondents) is left out."""
    outcome = wave_results(wave, rated={department.pk})
    if not outcome.departments:
        return []
    actions: dict[int, list[Action]] = {}
    trail = Prefetch("events", queryset=ActionEvent.objects.select_related("actor"))
    for action in (
        Action.objects.filter(plan__wave=wave, plan__department=department)
        .select_related("owner")
        .prefetch_related(trail)
    ):
        actions.setdefault(action.question_id, []).append(action)
    shown = [
        RankedQuestion(
            question=result.question,
            mean=result.mean,
            answers=result.answers or 0,
            actions=actions.get(result.question.pk, []),
        )
        for result in outcome.departments[0].questions
        if result.mean is not None and result.question.scale
    ]
    return sorted(shown, key=lambda row: (row.mean, row.question.position))


@dataclass
class FollowedAction:
    """An action of the previous wave's plan beside its question's score then and now (None:
    hidden on either results page)."""

    action: Action
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def previous_actions(
    wave: Wave, department: Department, now_shown: list[RankedQuestion]
) -> list[FollowedAction]:
    """The actions `department` planned after the previous wave of the same campaign, each beside
    the change in its question's score from that wave to `wave` (`now_shown`: `wave`'s ranked
    questions, so that the same suppression applies to both)."""
    previous = Wave.objects.filter(campaign=wave.campaign_id, number=wave.number - 1).first()
    if previous is None:
        return []
    actions = list(
        Action.objects.filter(plan__wave=previous, plan__department=department).select_related(
            "owner", "question"
        )
    )
    if not actions:
        return []
    before = {row.question.pk: row.mean for row in ranked_questions(previous, department)}
    after = {row.question.pk: row.mean for row in now_shown}
    return [
        FollowedAction(
            action=action,
            before=before.get(action.question_id),
            after=after.get(action.question_id),
        )
        for action in actions
    ]


def plan_figures(
    wave: Wave, department: Department
) -> tuple[list[RankedQuestion], list[FollowedAction]]:
    """What `department`'s plan page for `wave` shows: the ranked questions with their actions,
    and the previous wave's actions beside their question's score change."""
    questions = ranked_questions(wave, department)
    return questions, previous_actions(wave, department, questions)


def plan_owners(department: Department):
    """Who may own an action of `department`'s plan: its members."""
    return (
        Membership.objects.filter(department=department)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


@transaction.atomic
def action_save(
    *,
    by,
    wave: Wave,
    department: Department,
    question: CampaignQuestion,
    what: str,
    owner,
    due_on: date,
    status: str,
    action: Action | None = None,
    version: int | None = None,
) -> Action:
    """Add an action to `department`'s plan for `wave` (the plan is made with its first action),
    or change `action` as read at `version`; only the department's head may. A new due date
    asks for a new reminder; every change goes on the action's trail."""
    if not department.is_headed_by(by):
        raise ActionPlanError(_("Only the head of the department may change its action plan."))
    if question.pk not in {row.question.pk for row in ranked_questions(wave, department)}:
        raise ActionPlanError(_("Actions are recorded against the questions shown here."))
    now = timezone.now()
    plan, _created = ActionPlan.objects.get_or_create(
        wave=wave, department=department, defaults={"created_at": now}
    )
    before = None
    if action is None:
        action = Action(plan=plan, created_at=now)
    else:
        action = Action.objects.select_for_update().get(pk=action.pk, plan=plan)
        if version is not None and action.version != version:
            raise StaleAction(_("This action changed since you opened it. Reload the page."))
        before = action_state(action)
        action.version += 1
        if action.due_on != due_on:
            action.reminded_at = None
    action.question = question
    action.what = what
    action.owner = owner
    action.due_on = due_on
    action.status = ActionStatus(status)
    action.updated_at = now
    action.full_clean()
    action.save()
    record_changes(action, before, by=by, at=now)
    return action
