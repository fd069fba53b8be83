"""Forms of the queue's tools: assigning from the queue, bulk actions, saved views and canned
replies."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from agreements.models import Priority
from common.filters import LARGEST_ID, IdField
from tickets.models import CannedReply, SavedView

BULK_LIMIT = 100
ROW = re.compile(r"^(\d{1,19}):(\d{1,10})$")
# The query parameters of the queue that a saved view keeps.
VIEW_FILTERS = ("status", "service", "priority", "assignee")


class AssigneeField(forms.CharField):
    """ "me", or the id of a colleague; cleaned to ("me", None) or ("", id)."""

    def clean(self, value: object) -> str | int:
        value = super().clean(value)
        if value in ("", "me"):
            return value
        return IdField().clean(value)


def resolve_assignee(choice: str | int, user):
    """The person an AssigneeField names, or None when no such person exists."""
    if choice == "me":
        return user
    return get_user_model().objects.filter(pk=choice, is_active=True).first()


class QueueAssignForm(forms.Form):
    """ "Assign to me" or to a colleague, from a row of the queue."""

    version = forms.IntegerField(min_value=0)
    assignee = AssigneeField(label=_("Assignee"))


class RowsField(forms.Field):
    """The requests ticked on the queue, each as "id:version" (the version the page showed):
    at least one, at most BULK_LIMIT, cleaned to a list of (id, version) without repeats."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick at least one request."),
        "invalid": _("The list of requests was damaged; reload the page and try again."),
    }

    def to_python(self, value: object) -> list[tuple[int, int]]:
        rows: dict[int, int] = {}
        for item in value or []:
            match = ROW.match(str(item))
            if not match or not 0 < int(match[1]) <= LARGEST_ID:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            rows[int(match[1])] = int(match[2])
        return list(rows.items())

    def validate(self, value: list[tuple[int, int]]) -> None:
        super().validate(value)
        if len(value) > BULK_LIMIT:
            raise forms.ValidationError(
                ngettext_lazy(
                    "Act on at most %(limit)d request at once.",
                    "Act on at most %(limit)d requests at once.",
                    "limit",
                ),
                code="too_many",
                params={"limit": BULK_LIMIT},
            )


class BulkActionForm(forms.Form):
    """One action on the requests ticked on the queue."""

    ACTIONS = [
        ("assign", _("Assign")),
        ("priority", _("Change the priority")),
        ("acknowledge", _("Acknowledge")),
    ]
    tickets = RowsField(label=_("Requests"))
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = AssigneeField(label=_("Assign to"), required=False)
    priority = forms.ChoiceField(
        label=_("New priority"), required=False, choices=[("", "—"), *Priority.choices]
    )

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose who gets the requests."))
        if action == "priority" and not data.get("priority"):
            self.add_error("priority", _("Choose the new priority."))
        return data


class SavedViewForm(forms.ModelForm):
    """A saved view's name and whether the department shares it; its owner and department are
    set by the page (a name is unique per owner and department)."""

    class Meta:
        model = SavedView
        fields = ["name", "shared"]

    def __init__(self, *args, owner, department, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner, self.department = owner, department

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        namesakes = SavedView.objects.filter(owner=self.owner, department=self.department)
        if namesakes.filter(name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("You already have a view of this name."))
        return name

    def save(self, commit: bool = True) -> SavedView:
        self.instance.owner, self.instance.department = self.owner, self.department
        return super().save(commit)


class SavedViewChoiceForm(forms.Form):
    """The saved view the queue is opened with (?view=<id>)."""

    view = IdField(required=False)


class CannedReplyForm(forms.ModelForm):
    """A canned reply of one of the departments whose queue the person works."""

    class Meta:
        model = CannedReply
        fields = ["department", "title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = None

    def clean(self) -> dict:
        data = super().clean()
        department, title = data.get("department"), (data.get("title") or "").strip()
        namesakes = CannedReply.objects.filter(department=department, title=title)
        if department and namesakes.exclude(pk=self.instance.pk).exists():
            self.add_error("title", _("The department already has a reply of this title."))
        return data


class CannedReplyChoiceForm(forms.Form):
    """The canned reply picked in a request's comment box (without JavaScript the page is
    loaded again with its text in the box)."""

    reply = IdField(label=_("Canned reply"), required=False)
