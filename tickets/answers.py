"""Validation of the answers to a service's request form (its schema lives in agreements)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_TEXT = 200
MAX_LONG_TEXT = 10_000


def clean_answers(fields: list[dict], data: dict) -> dict:
    """Return the answers keyed by field name, as JSON-safe values; raise a ValidationError
    keyed by field name on the first problem of each field. File fields are answered with the
    name of a file attached to the request."""
    errors: dict[str, str] = {}
    cleaned: dict[str, object] = {}
    known = {field["name"] for field in fields}
    for name in set(data) - known:
        errors[name] = _("This service's form has no field “%(name)s”.") % {"name": name}
    for field in fields:
        value = data.get(field["name"])
        if value in (None, "", []):
            if field.get("required"):
                errors[field["name"]] = _("This field is required.")
            continue
        try:
            cleaned[field["name"]] = _clean_value(field, value)
        except ValidationError as error:
            errors[field["name"]] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return cleaned


def answers_so_far(fields: list[dict], data: dict) -> dict:
    """The answers of `data` that are valid, cleaned as filing cleans them; the others (missing,
    invalid, files) left out: for previewing a request still being typed."""
    cleaned: dict[str, object] = {}
    for field in fields:
        value = data.get(field["name"])
        if field["type"] == "file" or value in (None, "", []):
            continue
        try:
            cleaned[field["name"]] = _clean_value(field, value)
        except ValidationError:
            continue
    return cleaned


def _clean_value(field: dict, value: object) -> object:
    kind = field["type"]
    if kind in ("text", "long_text", "file"):
        text = str(value).strip()
        limit = MAX_LONG_TEXT if kind == "long_text" else MAX_TEXT
        if len(text) > limit:
            raise ValidationError(_("Keep it under %(limit)d characters.") % {"limit": limit})
        return text
    if kind == "number":
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return str(number)
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if kind == "choice":
        if value not in field["choices"]:
            raise ValidationError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(field["choices"])}
            )
        return value
    raise ValidationError(_("Unknown field type."))
