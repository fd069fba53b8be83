"""Forms of the agreements pages: calendars' weekly hours, and drafting an agreement."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from agreements.clock import BusinessClock
from agreements.models import Agreement, BusinessCalendar, Priority, Service
from agreements.models.agreement import (
    DEFAULT_CONFIRM_WITHIN_DAYS,
    DEFAULT_DISPUTE_WINDOW,
    MAX_WORKING_DURATION,
)
from agreements.weekly_hours import (
    WEEKDAY_NAMES,
    WEEKDAYS,
    check_weekly_hours,
    format_day,
    parse_day,
    weekly_hours_for_clock,
)
from common.widgets import DatePicker
from departments.models import Department

MAX_APPROVAL_STEPS = 3


def _weekday_hours(day: int) -> forms.CharField:
    help_text = _("e.g. 09:00-12:00, 13:30-18:00; empty when closed; 24:00 ends a day")
    return forms.CharField(
        label=WEEKDAY_NAMES[day], required=False, help_text=help_text if day == 0 else ""
    )


class BusinessCalendarForm(forms.ModelForm):
    """Weekly hours typed one weekday per field, e.g. "09:00-12:00, 13:30-18:00"."""

    hours_0, hours_1, hours_2, hours_3, hours_4, hours_5, hours_6 = map(_weekday_hours, WEEKDAYS)

    class Meta:
        model = BusinessCalendar
        fields = ["name", "time_zone", "country"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.weekly_hours or {}
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"].initial = format_day(stored.get(str(day), []))

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for day in WEEKDAYS:
            try:
                intervals = parse_day(cleaned.get(f"hours_{day}", ""))
            except ValidationError as error:
                self.add_error(f"hours_{day}", error)
                continue
            if intervals:
                hours[str(day)] = intervals
        try:
            check_weekly_hours(hours)
            BusinessClock(cleaned.get("time_zone") or "UTC", weekly_hours_for_clock(hours))
        except ValidationError as error:
            self.add_error(None, error)
        except ValueError as error:
            self.add_error(None, str(error))
        else:
            self.instance.weekly_hours = hours
        return cleaned


class DurationInHoursField(forms.DecimalField):
    """A working-time duration typed in hours (1.5 = 1 h 30 min)."""

    def __init__(self, **kwargs):
        longest = int(MAX_WORKING_DURATION.total_seconds() // 3600)
        super().__init__(
            min_value=0.25, max_value=longest, max_digits=6, decimal_places=2, **kwargs
        )

    def prepare_value(self, value):
        if isinstance(value, timedelta):
            return f"{value.total_seconds() / 3600:g}"
        return value

    def clean(self, value):
        hours = super().clean(value)
        return None if hours is None else timedelta(minutes=round(float(hours) * 60))


class AgreementForm(forms.ModelForm):
    """An agreement draft, its targets per priority and its approval windows."""

    services = forms.ModelMultipleChoiceField(
        label=_("Services"), queryset=Service.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    customers = forms.ModelMultipleChoiceField(
        label=_("Customer departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Agreement
        fields = [
            "title",
            "relationship",
            "calendar",
            "all_customers",
            "warning_threshold",
            "escalation_after",
            "confirm_within_days",
            "dispute_window",
            "pauses_for_hand_offs",
            "requester_answer_within",
            "customer_duties",
            "valid_from",
            "valid_until",
            "notes",
        ]
        widgets = {
            "valid_from": DatePicker(),
            "valid_until": DatePicker(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "customer_duties": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, provider: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.provider = provider
        self.fields["services"].queryset = Service.objects.filter(provider=provider).active()
        self.fields["customers"].queryset = Department.objects.current().exclude(pk=provider.pk)
        self.fields["escalation_after"] = DurationInHoursField(
            label=_("Escalate after (working hours)"),
            required=False,
            help_text=Agreement._meta.get_field("escalation_after").help_text,
        )
        self.fields["requester_answer_within"] = DurationInHoursField(
            label=_("Requester answers within (working hours)"),
            required=False,
            help_text=Agreement._meta.get_field("requester_answer_within").help_text,
        )
        # Left empty (or not sent by an older form): the default period.
        self.fields["confirm_within_days"].required = False
        self.fields["dispute_window"] = DurationInHoursField(
            label=_("Disputes decided within (working hours)"),
            required=False,
            initial=self.instance.dispute_window,
            help_text=Agreement._meta.get_field("dispute_window").help_text,
        )
        if self.instance.pk:
            self.fields["services"].initial = list(self.instance.services.all())
            self.fields["customers"].initial = list(self.instance.customers.all())
        targets = {t.priority: t for t in self.instance.targets.all()} if self.instance.pk else {}
        for priority, label in Priority.choices:
            target = targets.get(priority)
            self.fields[f"first_response_{priority}"] = DurationInHoursField(
                label=_("%(priority)s first response (working hours)") % {"priority": label},
                required=False,
                initial=target and target.first_response,
            )
            self.fields[f"resolution_{priority}"] = DurationInHoursField(
                label=_("%(priority)s resolution (working hours)") % {"priority": label},
                required=False,
                initial=target and target.resolution,
            )
        windows = (
            {w.position: w.window for w in self.instance.approval_windows.all()}
            if self.instance.pk
            else {}
        )
        for position in range(1, MAX_APPROVAL_STEPS + 1):
            self.fields[f"approval_window_{position}"] = DurationInHoursField(
                label=_("Approval step %(position)s decided within (working hours)")
                % {"position": position},
                required=False,
                initial=windows.get(position),
            )

    def clean_confirm_within_days(self) -> int:
        days = self.cleaned_data.get("confirm_within_days")
        return DEFAULT_CONFIRM_WITHIN_DAYS if days is None else days

    def clean_dispute_window(self):
        """Left empty: the default window, as for an agreement made through the API."""
        return self.cleaned_data.get("dispute_window") or DEFAULT_DISPUTE_WINDOW

    def general_fields(self):
        names = ["title", "relationship", "calendar", "services", "customers", "all_customers"]
        return [self[name] for name in names]

    def validity_fields(self):
        names = [
            "warning_threshold",
            "escalation_after",
            "confirm_within_days",
            "dispute_window",
            "pauses_for_hand_offs",
            "requester_answer_within",
            "customer_duties",
            "valid_from",
            "valid_until",
            "notes",
        ]
        return [self[name] for name in names]

    def target_fields(self):
        return [
            (label, self[f"first_response_{priority}"], self[f"resolution_{priority}"])
            for priority, label in Priority.choices
        ]

    def approval_window_fields(self):
        return [self[f"approval_window_{p}"] for p in range(1, MAX_APPROVAL_STEPS + 1)]

    def clean(self):
        cleaned = super().clean()
        for priority, _label in Priority.choices:
            first, last = (
                cleaned.get(f"first_response_{priority}"),
                cleaned.get(f"resolution_{priority}"),
            )
            if (first is None) != (last is None):
                self.add_error(
                    f"resolution_{priority}" if last is None else f"first_response_{priority}",
                    _("Give both targets of a priority, or neither."),
                )
            elif first and last and last < first:
                self.add_error(
                    f"resolution_{priority}",
                    _("Resolution cannot be due before the first response."),
                )
        if not self.targets() and not self.errors:
            raise ValidationError(_("Set the targets of at least one priority."))
        if not cleaned.get("all_customers") and not cleaned.get("customers"):
            self.add_error(
                "customers", _("Choose the customer departments, or make it company-wide.")
            )
        return cleaned

    def targets(self) -> dict[str, tuple[timedelta, timedelta]]:
        return {
            priority: (
                self.cleaned_data[f"first_response_{priority}"],
                self.cleaned_data[f"resolution_{priority}"],
            )
            for priority, _label in Priority.choices
            if self.cleaned_data.get(f"first_response_{priority}")
            and self.cleaned_data.get(f"resolution_{priority}")
        }

    def approval_windows(self) -> dict[int, timedelta]:
        return {
            position: window
            for position in range(1, MAX_APPROVAL_STEPS + 1)
            if (window := self.cleaned_data.get(f"approval_window_{position}"))
        }


class RevisionForm(forms.Form):
    """The revision of the agreement the page showed, posted back with an edit."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)


class DecisionForm(forms.Form):
    """Accept or reject a proposal, for one customer department."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    department = forms.CharField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
