"""Forms of the complaints and suggestions pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from feedback.models import Kind, Outcome, Status
from tickets.models import Ticket


class FeedbackForm(forms.Form):
    """A complaint about a request or a department, or a suggestion to a department."""

    kind = forms.ChoiceField(label=_("What is it?"), choices=Kind, widget=forms.RadioSelect)
    ticket = forms.ModelChoiceField(
        queryset=Ticket.objects.none(), required=False, widget=forms.HiddenInput
    )
    department = forms.ModelChoiceField(
        label=_("About the department"),
        queryset=Department.objects.current().order_by("name"),
        required=False,
        empty_label=_("Choose a department"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = forms.CharField(
        label=_("What happened, or what you suggest"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    anonymous = forms.BooleanField(
        label=_("Stay anonymous towards the department"),
        required=False,
        help_text=_(
            "The department and its heads will not see your name. HR still sees who filed it."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket"].queryset = Ticket.objects.visible_to(user)

    def clean(self) -> dict:
        data = super().clean()
        ticket, department = data.get("ticket"), data.get("department")
        if ticket is not None and data.get("kind") == Kind.SUGGESTION:
            self.add_error("kind", _("A suggestion goes to a department, not about a request."))
        elif ticket is None and department is None and "department" not in self.errors:
            self.add_error("department", _("Choose the department it is about."))
        return data


class TicketChoiceForm(forms.Form):
    """The request a complaint is filed about, from the request page's link (?ticket=…)."""

    ticket = forms.ModelChoiceField(queryset=Ticket.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticket"].queryset = Ticket.objects.visible_to(user)


class ResponseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome, widget=forms.RadioSelect)
    response = forms.CharField(
        label=_("Response"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )


class FollowUpForm(forms.Form):
    """Reopening or escalating, with an optional reason."""

    reason = forms.CharField(
        label=_("Why (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Complaints and suggestions")), *Kind.choices],
        required=False,
    )
    mine = forms.BooleanField(label=_("Only what I filed"), required=False)
