"""The condition of an approval step: one question of the service's form, or the requesting
department (the field REQUESTING_DEPARTMENT), an operator and a value, e.g. "amount > 10000" or
"requesting department is one of RND, Design". Declarative on purpose: no expressions, no code;
checked against the form schema (and the departments) when the chain is edited and evaluated on
the answers and the department of a request when it is filed, and when its due times are
previewed.

A step without a condition always applies. A question left unanswered (or whose answer no
longer reads as its type), or a department not chosen yet, never skips a step: the approval is
asked rather than lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from departments.models import Department

MAX_VALUES = 20
# Not a possible question name (those match ^[a-z][a-z0-9_]*$), so it never hides one.
REQUESTING_DEPARTMENT = "@department"


class Operator(models.TextChoices):
    EQUALS = "eq", "="
    NOT_EQUALS = "ne", "≠"
    GREATER = "gt", ">"
    AT_LEAST = "ge", "≥"
    LESS = "lt", "<"
    AT_MOST = "le", "≤"
    IN = "in", gettext_lazy("is one of")
    CONTAINS = "contains", gettext_lazy("contains")


ORDERED = (Operator.GREATER, Operator.AT_LEAST, Operator.LESS, Operator.AT_MOST)
# Which operators each type of question takes (files take none).
OPERATORS = {
    "number": (Operator.EQUALS, Operator.NOT_EQUALS, *ORDERED, Operator.IN),
    "date": (Operator.EQUALS, Operator.NOT_EQUALS, *ORDERED, Operator.IN),
    "choice": (Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN),
    "text": (Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN, Operator.CONTAINS),
    "long_text": (Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN, Operator.CONTAINS),
    "department": (Operator.EQUALS, Operator.NOT_EQUALS, Operator.IN),
}


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: str

    def __bool__(self) -> bool:
        return bool(self.field)


@dataclass(frozen=True)
class Verdict:
    applies: bool
    reason: str  # for the timeline: "Amount > 10,000", "Amount ≤ 10,000", "Amount not answered"


def validate_condition(fields: list[dict], condition: Condition) -> None:
    """Raise a ValidationError keyed by "condition_field", "condition_operator" or
    "condition_value" when `condition` does not fit the form `fields`; an empty condition
    (no field, operator or value) is valid: the step always applies."""
    if not (condition.field or condition.operator or condition.value):
        return
    if not condition.field:
        raise ValidationError({"condition_field": _("Choose the question the condition is about.")})
    field = _field(fields, condition.field)
    if field is None:
        raise ValidationError(
            {
                "condition_field": _("The service's form has no question “%(name)s”.")
                % {"name": condition.field}
            }
        )
    allowed = OPERATORS.get(field["type"], ())
    if not allowed:
        raise ValidationError(
            {"condition_field": _("A condition cannot be about a file (“%(name)s”).")
             % {"name": condition.field}}
        )  # fmt: skip
    if condition.operator not in allowed:
        raise ValidationError(
            {
                "condition_operator": _("For “%(label)s”, use one of: %(operators)s.")
                % {"label": field["label"], "operators": ", ".join(str(o.label) for o in allowed)}
            }
        )
    try:
        _values(field, condition)
    except ValueError as error:
        raise ValidationError({"condition_value": str(error)}) from None


def evaluate(
    fields: list[dict], answers: dict, condition: Condition, department: Department | None = None
) -> Verdict:
    """Whether a step with `condition` applies to a request with `answers`, filed for
    `department` (None: not chosen yet), and why."""
    if not condition:
        return Verdict(True, "")
    field = _field(fields, condition.field)
    label = field["label"] if field else condition.field
    if condition.field == REQUESTING_DEPARTMENT:
        answers = {REQUESTING_DEPARTMENT: department.code if department else None}
    answer = answers.get(condition.field)
    if field is None or answer in (None, ""):
        return Verdict(True, _("%(label)s not answered") % {"label": label})
    try:
        values = _values(field, condition)
        given = _read(field, answer)
    except (ValueError, TypeError):
        return Verdict(True, _("%(label)s not answered") % {"label": label})
    applies = _holds(condition.operator, given, values)
    return Verdict(applies, describe(field, condition, negated=not applies))


def describe(field: dict | None, condition: Condition, negated: bool = False) -> str:
    """The condition in words for people: "Amount > 10,000", or its opposite "Amount ≤ 10,000"."""
    if not condition:
        return ""
    field = field or _field([], condition.field)
    label = field["label"] if field else condition.field
    operator = condition.operator
    shown = condition.value
    if field is not None:
        try:
            values = _values(field, condition)
        except ValueError:
            values = []
        if values and field["type"] in ("number", "date"):
            shown = ", ".join(_shown(v) for v in values)
        elif values:
            shown = ", ".join(_pieces(condition))
    if not negated:
        phrase = Operator(operator).label if operator in Operator.values else operator
    else:
        phrase = {
            Operator.EQUALS: "≠",
            Operator.NOT_EQUALS: "=",
            Operator.GREATER: "≤",
            Operator.AT_LEAST: "<",
            Operator.LESS: "≥",
            Operator.AT_MOST: ">",
            Operator.IN: _("is none of"),
            Operator.CONTAINS: _("does not contain"),
        }.get(operator, operator)
    return f"{label} {phrase} {shown}"


def _field(fields: list[dict], name: str) -> dict | None:
    """The question `name` of the form, or the requesting department read as a question."""
    if name == REQUESTING_DEPARTMENT:
        return {"name": name, "label": _("Requesting department"), "type": "department"}
    return next((f for f in fields if f.get("name") == name), None)


def _values(field: dict, condition: Condition) -> list:
    """The condition's value(s) read as the question's type; ValueError saying what is wrong."""
    if not condition.value.strip():
        raise ValueError(_("Give the value to compare with."))
    pieces = _pieces(condition)
    if any(not piece for piece in pieces) or len(pieces) > MAX_VALUES:
        raise ValueError(
            _("Give up to %(count)d values, separated by commas.") % {"count": MAX_VALUES}
        )
    return [_read_value(field, piece) for piece in pieces]


def _pieces(condition: Condition) -> list[str]:
    raw = condition.value.strip()
    return [p.strip() for p in raw.split(",")] if condition.operator == Operator.IN else [raw]


def _read_value(field: dict, text: str) -> object:
    kind = field["type"]
    if kind == "department":
        return _department_code(text)
    if kind == "choice" and text not in field["choices"]:
        raise ValueError(
            _("“%(value)s” is not a choice of “%(label)s” (%(choices)s).")
            % {"value": text, "label": field["label"], "choices": ", ".join(field["choices"])}
        )
    try:
        return _read(field, text)
    except (ValueError, TypeError):
        if kind == "number":
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
        raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from None


def _read(field: dict, answer: object) -> object:
    """An answer (or a value) as the question's type: Decimal, date or case-folded text."""
    kind = field["type"]
    if kind == "number":
        try:
            number = Decimal(str(answer))
        except InvalidOperation:
            raise ValueError(answer) from None
        if not number.is_finite():
            raise ValueError(answer)
        return number
    if kind == "date":
        return date.fromisoformat(str(answer))
    if kind == "choice":
        return str(answer)
    if kind == "department":
        return str(answer).upper()
    return str(answer).strip().casefold()


def _department_code(text: str) -> str:
    """The code of the department named by its code or its name (any case), in upper case."""
    found = (
        Department.objects.filter(Q(code__iexact=text) | Q(name__iexact=text))
        .values_list("code", flat=True)
        .first()
    )
    if found is None:
        raise ValueError(
            _("No department “%(value)s”: give a department's code or name.") % {"value": text}
        )
    return found.upper()


def _holds(operator: str, given: object, values: list) -> bool:
    value = values[0]
    if operator == Operator.EQUALS:
        return given == value
    if operator == Operator.NOT_EQUALS:
        return given != value
    if operator == Operator.GREATER:
        return given > value
    if operator == Operator.AT_LEAST:
        return given >= value
    if operator == Operator.LESS:
        return given < value
    if operator == Operator.AT_MOST:
        return given <= value
    if operator == Operator.IN:
        return given in values
    if operator == Operator.CONTAINS:
        return value in given
    return True  # an operator this version does not know: ask rather than skip


def _shown(value: object) -> str:
    if isinstance(value, Decimal):
        return number_format(value, use_l10n=True, force_grouping=True)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
