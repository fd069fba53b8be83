"""Forms of the complaints and suggestions pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department
from feedback.action_progress import NOTE_MAX, PROGRESS_STATUSES
from feedback.models.action_plans import ActionStatus
from feedback.models.complaints import Kind, Outcome, Status
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


class ActionForm(forms.Form):
    """An action against one of the questions shown on a plan page."""

    question = forms.TypedChoiceField(label=_("Question"), coerce=int)
    what = forms.CharField(
        label=_("What will be done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due_on = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus)
    # Empty when an action is added; an edit read at an older version is refused.
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )

    def __init__(self, *args, questions, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = {row.question.pk: row.question for row in questions}
        self.owners = {membership.user.pk: membership.user for membership in owners}
        self.fields["question"].choices = [
            (pk, question.localized_text) for pk, question in self.questions.items()
        ]
        self.fields["owner"].choices = [
            (pk, user.get_full_name() or user.get_username()) for pk, user in self.owners.items()
        ]

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if not date(2000, 1, 1) <= due_on <= date(2100, 12, 31):
            raise forms.ValidationError(_("Give a date between 2000 and 2100."))
        return due_on

    def clean(self):
        data = super().clean()
        if "question" in data:
            data["question"] = self.questions[data["question"]]
        if "owner" in data:
            data["owner"] = self.owners[data["owner"]]
        return data


class ActionProgressForm(forms.Form):
    """An action's owner moves it along: its status and a short progress note."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(status.value, status.label) for status in PROGRESS_STATUSES],
    )
    note = forms.CharField(
        label=_("Progress note (optional)"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
