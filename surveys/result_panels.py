"""Panels that apps above surveys show under each question of a department's results page (the
feedback app shows the department's actions there). An app registers its panel in its
AppConfig.ready(), so that surveys imports none of the apps that build on it.

A panel is a function `(user, wave, department) -> QuestionPanels | None` that reads what it
shows for the whole page at once (the page's queries must not grow with its questions) and
returns None when `user` may not see it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from departments.models import Department
from surveys.models import Wave


@dataclass(frozen=True)
class QuestionPanels:
    """One panel's content on a page: `template_name` is rendered under each question that has an
    entry in `by_question` (keyed by the CampaignQuestion's pk), with `panel` set to that entry."""

    template_name: str
    by_question: Mapping[int, Any]


@dataclass(frozen=True)
class PanelEntry:
    template_name: str
    panel: Any


ResultPanel = Callable[[Any, Wave, Department], QuestionPanels | None]

_panels: list[ResultPanel] = []


def register(panel: ResultPanel) -> ResultPanel:
    """Show `panel` on the department results pages (once, however often it is registered)."""
    if panel not in _panels:
        _panels.append(panel)
    return panel


def question_panels(user, wave: Wave, department: Department) -> dict[int, list[PanelEntry]]:
    """What the registered panels show `user` under each question of `department`'s results of
    `wave`, keyed by the question's pk, in the order the panels were registered."""
    shown: dict[int, list[PanelEntry]] = defaultdict(list)
    for panel in _panels:
        content = panel(user, wave, department)
        if content is None:
            continue
        for question_pk, entry in content.by_question.items():
            shown[question_pk].append(PanelEntry(content.template_name, entry))
    return dict(shown)
