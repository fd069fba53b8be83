"""Reads of recognition: the cycles a person sees, and the figures of each award they may see
(recognition.access decides whose)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, QuerySet

from recognition.access import (
    may_run_cycles,
    people_whose_figures_are_seen,
    sees_department_figures,
)
from recognition.candidates import DEPARTMENT_FIGURES, FIGURE_KINDS, PERSON_FIGURES
from recognition.models import Award, Cycle


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | int | None
    kind: str  # "percent", "points", "rating" or "count"


def cycles_visible_to(user) -> QuerySet[Cycle]:
    """HR sees every cycle; everyone else the published ones."""
    if may_run_cycles(user):
        return Cycle.objects.all()
    return Cycle.objects.published()


def figure_list(figures: dict, labels: dict) -> list[Figure]:
    """`figures` in the order of `labels` (candidates.DEPARTMENT_FIGURES or PERSON_FIGURES)."""
    return [
        Figure(key, str(label), figures.get(key), FIGURE_KINDS.get(key, "count"))
        for key, label in labels.items()
    ]


def figures_of(award: Award) -> list[Figure]:
    labels = DEPARTMENT_FIGURES if award.department_id else PERSON_FIGURES
    return figure_list(award.figures, labels)


def with_figures_for(user, awards: Iterable[Award]) -> list[Award]:
    """`awards`, each with `shown_figures`: its figures when `user` may see them, else None
    (a person's: themselves, their heads, HR; a department's: HR and heads)."""
    awards = list(awards)
    people = people_whose_figures_are_seen(
        user, {award.person_id for award in awards if award.person_id}
    )
    departments = sees_department_figures(user) if any(a.department_id for a in awards) else False
    for award in awards:
        seen = award.person_id in people if award.person_id else departments
        award.shown_figures = figures_of(award) if seen else None
    return awards


def awards_of(cycle: Cycle) -> QuerySet[Award]:
    """Department awards first, by name, then those to people, as picked."""
    return cycle.awards.select_related("department", "person").order_by(
        F("department__name").asc(nulls_last=True), "pk"
    )
