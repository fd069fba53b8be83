"""Form widgets shared by the apps."""

from django import forms


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value is always ISO 8601 (`2026-12-04`), the only form an
    `<input type="date">` accepts, whatever the page's language: a localised value (`2026/12/04`
    in Chinese) would be dropped by the browser and blank the field."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
