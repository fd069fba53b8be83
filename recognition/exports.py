"""The awards of a cycle as spreadsheet rows (common.spreadsheets writes them): one row per
award, with every figure column; a figure the reader may not see is left empty."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from recognition.candidates import DEPARTMENT_FIGURES, PERSON_FIGURES
from recognition.models import Award, Cycle

FIGURE_COLUMNS = list(dict.fromkeys([*DEPARTMENT_FIGURES, *PERSON_FIGURES]))


def award_rows(cycle: Cycle, awards: list[Award]) -> Iterator[list]:
    labels = {**DEPARTMENT_FIGURES, **PERSON_FIGURES}
    yield [
        _("Cycle"),
        _("From"),
        _("To"),
        _("Kind"),
        _("Department code"),
        _("Username"),
        _("Employee e-mail"),
        _("Awarded to"),
        _("Title"),
        _("Reason"),
        *(str(labels[key]) for key in FIGURE_COLUMNS),
    ]
    for award in awards:
        shown = {figure.key: figure.value for figure in award.shown_figures or []}
        person = award.person
        yield [
            cycle.name,
            cycle.starts_on,
            cycle.ends_on,
            _("Department") if award.department_id else _("Person"),
            award.department.code if award.department_id else "",
            person.get_username() if person else "",
            person.email if person else "",
            award.winner_name,
            award.title,
            award.reason,
            *(shown.get(key) for key in FIGURE_COLUMNS),
        ]
