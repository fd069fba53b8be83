"""A department's action plan on its survey results page, under each question (a panel of
surveys.result_panels, registered in FeedbackConfig.ready): the actions the plan of the wave
holds for the question, and the previous wave's actions for it beside the change in its score
since, the figures of the plan page. Shown to those who may open the plan page, to no one else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.http import Http404
from django.utils import timezone

from departments.models import Department
from feedback.models.action_plans import Action
from feedback.plans import FollowedAction, plan_figures, plan_scope
from surveys.models import Wave
from surveys.result_panels import QuestionPanels


@dataclass
class QuestionActions:
    today: date
    previous_wave: int
    actions: list[Action] = field(default_factory=list)
    followed: list[FollowedAction] = field(default_factory=list)


def plan_actions_panel(user, wave: Wave, department: Department) -> QuestionPanels | None:
    """The actions of `department`'s plans about each question of `wave`, or None when `user`
    may not open the plan page (the wave is still open, or it is not theirs to see)."""
    try:
        plan_scope(user, wave.pk, department.code)
    except Http404:
        return None
    questions, followed = plan_figures(wave, department)
    by_question: dict[int, QuestionActions] = {}

    def entry(question_pk: int) -> QuestionActions:
        return by_question.setdefault(
            question_pk,
            QuestionActions(today=timezone.localdate(), previous_wave=wave.number - 1),
        )

    for row in questions:
        if row.actions:
            entry(row.question.pk).actions = row.actions
    for row in followed:
        entry(row.action.question_id).followed.append(row)
    return QuestionPanels(template_name="feedback/_results_actions.html", by_question=by_question)
