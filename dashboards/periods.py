"""The period a dashboard covers, chosen in the period picker and carried in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import DateField
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from common.filters import BoundedDateField, IdField
from common.widgets import DatePicker

MAX_CUSTOM_DAYS = 731  # two years of weekly points is as much as a chart can show


class PeriodKind:
    WEEK = "week"
    LAST_30 = "30d"
    LAST_90 = "90d"
    QUARTER = "quarter"
    CUSTOM = "custom"
    CHOICES = [
        (WEEK, _("This week")),
        (LAST_30, _("Last 30 days")),
        (LAST_90, _("Last 90 days")),
        (QUARTER, _("This quarter")),
        (CUSTOM, _("Custom")),
    ]
    DEFAULT = LAST_30


def day_start(day: date) -> datetime:
    """The midnight that begins `day` in the company time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


def week_of_filing() -> Trunc:
    """The Monday of the week a request was filed, in the company time zone."""
    return Trunc(
        "filed_at", "week", output_field=DateField(), tzinfo=timezone.get_current_timezone()
    )


@dataclass(frozen=True)
class Period:
    """Requests filed from `first` to `last` (local dates, both included)."""

    kind: str
    first: date
    last: date

    @property
    def since(self) -> datetime:
        return day_start(self.first)

    @property
    def until(self) -> datetime:
        """The instant the period ends (exclusive): the midnight after `last`."""
        return day_start(self.last + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one, for trends."""
        last = self.first - timedelta(days=1)
        return Period(self.kind, last - timedelta(days=self.days - 1), last)

    def query(self) -> dict[str, str]:
        """The URL parameters that choose this period again."""
        if self.kind == PeriodKind.CUSTOM:
            return {
                "period": self.kind,
                "from": self.first.isoformat(),
                "to": self.last.isoformat(),
            }
        return {"period": self.kind}


def period_of(kind: str, today: date) -> Period:
    """A named period ending today."""
    if kind == PeriodKind.WEEK:
        return Period(kind, today - timedelta(days=today.weekday()), today)
    if kind == PeriodKind.LAST_90:
        return Period(kind, today - timedelta(days=89), today)
    if kind == PeriodKind.QUARTER:
        return Period(kind, date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    return Period(PeriodKind.LAST_30, today - timedelta(days=29), today)


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), choices=PeriodKind.CHOICES, required=False, initial=PeriodKind.DEFAULT
    )
    start = BoundedDateField(label=_("From"), required=False, widget=DatePicker())
    end = BoundedDateField(label=_("To"), required=False, widget=DatePicker())
    kind = forms.ChoiceField(
        label=_("Kind of relationship"),
        choices=[("", _("Every kind")), *Agreement.Relationship.choices],
        required=False,
        help_text=_("Only the requests filed under agreements of this kind."),
    )

    def __init__(self, data, *args, **kwargs):
        # The URL says from/to (readable when shared); the form's fields cannot be named "from".
        data = {
            "period": data.get("period", ""),
            "start": data.get("from", ""),
            "end": data.get("to", ""),
            "kind": data.get("kind", ""),
        }
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != PeriodKind.CUSTOM:
            return cleaned
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is None or end is None:
            if not self.errors:
                raise forms.ValidationError(_("A custom period needs a first and a last day."))
            return cleaned
        if end < start:
            raise forms.ValidationError(_("The last day comes before the first day."))
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most %(days)d days.") % {"days": MAX_CUSTOM_DAYS}
            )
        return cleaned

    def chosen(self, today: date) -> Period:
        """The period asked for, or the last 30 days when the form is invalid."""
        if not self.is_valid():
            return period_of(PeriodKind.DEFAULT, today)
        kind = self.cleaned_data.get("period") or PeriodKind.DEFAULT
        if kind == PeriodKind.CUSTOM:
            return Period(kind, self.cleaned_data["start"], self.cleaned_data["end"])
        return period_of(kind, today)

    def chosen_kind(self) -> str:
        """The kind of relationship asked for; "" (every kind) when the form is invalid."""
        if not self.is_valid():
            return ""
        return self.cleaned_data.get("kind") or ""


class DrillForm(forms.Form):
    """The numbers and the week of the link behind a dashboard figure (the words are checked
    against their lists by `Drill`)."""

    service = IdField(required=False)
    other = IdField(required=False)
    approver = IdField(required=False)
    week = BoundedDateField(required=False)
