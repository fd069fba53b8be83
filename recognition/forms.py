"""The forms of recognition: a new cycle (a quarter by default), and an award."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from common.filters import BoundedDateField
from common.widgets import DatePicker
from departments.models import Department
from recognition.models import REASON_MAX_LENGTH, TITLE_MAX_LENGTH


def last_quarter(today: date) -> tuple[date, date]:
    """The first and last day of the quarter before the one `today` is in."""
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_day = this_quarter - timedelta(days=1)
    return date(last_day.year, last_day.month - 2, 1), last_day


def quarter_name(first: date) -> str:
    return f"{first.year} Q{(first.month - 1) // 3 + 1}"


class CycleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = BoundedDateField(label=_("From"), widget=DatePicker())
    ends_on = BoundedDateField(label=_("To"), widget=DatePicker())

    def clean(self) -> dict:
        data = super().clean()
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("The cycle must end on or after its first day."))
        return data


class AwardForm(forms.Form):
    """An award to a department or to a person (one of the two, as the candidate's button
    sends it)."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    person = forms.ModelChoiceField(
        label=_("Person"), queryset=get_user_model().objects.filter(is_active=True), required=False
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("department")) == bool(data.get("person")):
            raise forms.ValidationError(_("Give the award to a department or to a person."))
        return data


class PageForm(forms.Form):
    """The page number of a paginated list."""

    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
