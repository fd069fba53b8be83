"""The small schema of a service's request form: which fields a request asks, validated here and
rendered by the requests app."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FIELD_TYPES = ("text", "long_text", "number", "date", "choice", "file")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEYS = {"name", "label", "type", "required", "choices", "help"}


def validate_form_schema(fields: object) -> None:
    """Raise a ValidationError naming the first problem in a list of field definitions like
    {"name": "amount", "label": "Amount", "type": "number", "required": true}."""
    if not isinstance(fields, list):
        raise ValidationError(_("The form must be a list of fields."))
    names: set[str] = set()
    for number, field in enumerate(fields, start=1):
        if not isinstance(field, dict):
            raise ValidationError(
                _("Field %(number)s must be an object."), params={"number": number}
            )
        _validate_field(field, number, names)


def _validate_field(field: dict, number: int, names: set[str]) -> None:
    params = {"number": number, "name": field.get("name", "")}
    if unknown := set(field) - _KEYS:
        raise ValidationError(
            _("Field %(number)s has unknown keys: %(keys)s."),
            params={**params, "keys": ", ".join(sorted(unknown))},
        )
    if not isinstance(field.get("name"), str) or not _NAME.match(field["name"]):
        raise ValidationError(
            _(
                "Field %(number)s needs a name of lower-case letters, digits and underscores, "
                "starting with a letter."
            ),
            params=params,
        )
    if field["name"] in names:
        raise ValidationError(_("Two fields are named “%(name)s”."), params=params)
    names.add(field["name"])
    if not isinstance(field.get("label"), str) or not field["label"].strip():
        raise ValidationError(_("Field “%(name)s” needs a label."), params=params)
    if field.get("type") not in FIELD_TYPES:
        raise ValidationError(
            _("Field “%(name)s” has an unknown type; use one of %(types)s."),
            params={**params, "types": ", ".join(FIELD_TYPES)},
        )
    if not isinstance(field.get("required", False), bool):
        raise ValidationError(
            _("“required” of field “%(name)s” must be true or false."), params=params
        )
    choices = field.get("choices")
    if field["type"] == "choice":
        if not (
            isinstance(choices, list)
            and choices
            and all(isinstance(choice, str) and choice.strip() for choice in choices)
        ):
            raise ValidationError(
                _("Choice field “%(name)s” needs a list of non-empty choices."), params=params
            )
        if len(set(choices)) != len(choices):
            raise ValidationError(_("Choice field “%(name)s” repeats a choice."), params=params)
    elif choices is not None:
        raise ValidationError(_("Only choice fields have choices (“%(name)s”)."), params=params)
