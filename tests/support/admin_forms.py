"""Posting an admin change form back as a person would: what it shows, with some changes."""

from datetime import date, datetime, time

from django.forms import MultiWidget


def form_data(response) -> dict:
    """What the admin's change form posts back unchanged: its fields and its inlines'."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name, field in form.fields.items():
            key, value = form.add_prefix(name), form[name].value()
            if field.disabled or value is None or value is False:
                continue
            if isinstance(field.widget, MultiWidget):
                for index, part in enumerate(field.widget.decompress(value)):
                    data[f"{key}_{index}"] = _text(part)
            elif isinstance(value, list | tuple):
                data[key] = [str(getattr(item, "pk", item)) for item in value]
            else:
                data[key] = "on" if value is True else _text(value)
    return data


def _text(value) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(getattr(value, "pk", value if value is not None else ""))
