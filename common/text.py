"""Stored text holds no control characters: they are stripped once, where every door meets.

A C0 control character other than tab, newline and carriage return, or DEL (e.g. \\x0b, \\x0c,
\\x1b) is never typed on purpose, and breaks what reads the text later: an XLSX export refuses
it, a terminal or an e-mail header misreads it. Every door that stores text (the pages' forms,
the API's serializers, the admin, the services they call) ends in a model's save(), so a
pre_save receiver on every model is the one root that a new field, form or endpoint inherits
without a line of its own; cleaning in forms and serializers instead would need a shared base
class in each app, and a new form that forgot it would let them in. Free text inside JSON
fields (a request's answers to its service's form) is cleaned too.

Writes that bypass save(), QuerySet.update() and bulk_create(), are not seen: a service that
stores typed text that way calls without_control_characters itself (survey answers). Spreadsheet
exports drop such characters again on the way out (common.spreadsheets), whatever is stored.
A NUL is refused earlier with a field error by Django's and DRF's CharField.
"""

from __future__ import annotations

import re

from django.db import models

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def without_control_characters(text: str) -> str:
    """`text` without its control characters (tab, newline and carriage return stay)."""
    return CONTROL_CHARACTERS.sub("", text)


def _cleaned(value: object) -> object:
    """A field's value without control characters in its text, inside JSON lists and objects."""
    if isinstance(value, str):
        return without_control_characters(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {_cleaned(key): _cleaned(item) for key, item in value.items()}
    return value


def strip_control_characters_before_save(sender, instance, raw: bool = False, **kwargs) -> None:
    """A pre_save receiver for every model: its text and JSON fields lose their control
    characters (fixtures loaded raw are stored as they are)."""
    if raw:
        return
    for field in instance._meta.concrete_fields:
        if isinstance(field, TEXT_FIELDS):
            value = getattr(instance, field.attname)
            cleaned = _cleaned(value)
            if cleaned != value:
                setattr(instance, field.attname, cleaned)
