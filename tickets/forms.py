"""Forms of the requests pages. The answers to a service's questions are validated by the
service function (tickets.answers through ticket_file); these forms only carry them."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from agreements.models import Priority, Service
from common.filters import IdField
from common.widgets import DatePicker
from departments.models import Department, Membership
from tickets.answers import answers_so_far
from tickets.models import ATTACHMENT_MAX_BYTES, KUDOS_MAX_LENGTH, Status
from tickets.uploads import validate_upload
from tickets.workflow import Action

ANSWER_PREFIX = "answer_"
# Fields of the form itself; any other error ticket_file reports is about an answer.
OWN_FIELDS = ("title", "description", "priority", "customer")
RATINGS = [(str(number), str(number)) for number in range(1, 6)]


class TicketForm(forms.Form):
    """A request on one service: its own questions (from `service.form_fields`) and the usual
    title, description, department, priority and attachment."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    customer = forms.ModelChoiceField(
        label=_("Requesting department"),
        queryset=Department.objects.none(),
        empty_label=_("Choose a department"),
        help_text=_("The department you file this request for."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    attachment = forms.FileField(
        label=_("Attachment"), required=False, validators=[validate_upload]
    )

    def __init__(self, *args, service: Service, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        departments = list(
            Department.objects.current().filter(memberships__user=user).order_by("name")
        )
        self.departments = departments
        self.fields["customer"].queryset = Department.objects.filter(
            pk__in=[department.pk for department in departments]
        )
        if len(departments) == 1:
            self.fields["customer"].initial = departments[0].pk
        self.fields["priority"].initial = service.default_priority
        self.fields["attachment"].help_text = _("Optional; one file of up to %(limit)s.") % {
            "limit": filesizeformat(ATTACHMENT_MAX_BYTES)
        }
        for question in service.form_fields:
            self.fields[ANSWER_PREFIX + question["name"]] = _answer_field(question)

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_PREFIX + question["name"]] for question in self.service.form_fields]

    def answers(self) -> dict[str, object]:
        """The raw answers, for ticket_file to validate; a file question is answered with the
        name of the file attached for it."""
        answers: dict[str, object] = {}
        for question in self.service.form_fields:
            value = self.cleaned_data.get(ANSWER_PREFIX + question["name"])
            answers[question["name"]] = value.name if isinstance(value, UploadedFile) else value
        return answers

    def uploads(self) -> list[UploadedFile]:
        """Every file to attach: the attachment and the files answering file questions."""
        names = ["attachment"] + [
            ANSWER_PREFIX + question["name"]
            for question in self.service.form_fields
            if question["type"] == "file"
        ]
        return [self.cleaned_data[name] for name in names if self.cleaned_data.get(name)]

    def add_service_error(self, error: ValidationError) -> None:
        """Put the errors ticket_file raised (keyed by field or question name) on the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = name if name in OWN_FIELDS else ANSWER_PREFIX + name
            self.add_error(field if field in self.fields else None, messages)

    def preview_choice(self) -> tuple[Department | None, str]:
        """The department and priority to preview due times for: those typed in, when valid,
        else the defaults."""
        source = self.data if self.is_bound else self.initial
        return choose_preview(
            self.departments,
            self.service,
            str(source.get("customer") or self.fields["customer"].initial or ""),
            str(source.get("priority") or ""),
        )


def choose_preview(
    departments: list[Department], service: Service, customer: str, priority: str
) -> tuple[Department | None, str]:
    """The department among `departments` with the id `customer` (or the only one), and
    `priority` when it is one (or the service's default)."""
    chosen = next((d for d in departments if str(d.pk) == customer), None)
    if chosen is None and len(departments) == 1:
        chosen = departments[0]
    return chosen, priority if priority in Priority.values else service.default_priority


def _answer_field(question: dict) -> forms.Field:
    """A form field for one question. Every one is optional here: ticket_file decides what is
    required and valid, so the same rules hold on the page and in the API."""
    label = question["label"]
    if question.get("required"):
        label = _("%(label)s (required)") % {"label": label}
    options = {"label": label, "required": False, "help_text": question.get("help", "")}
    kind = question["type"]
    if kind == "file":
        return forms.FileField(validators=[validate_upload], **options)
    if kind == "long_text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), strip=False, **options)
    if kind == "number":
        return forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **options)
    if kind == "date":
        return forms.CharField(widget=DatePicker(), **options)
    if kind == "choice":
        choices = [("", _("Choose…")), *((choice, choice) for choice in question["choices"])]
        return forms.CharField(widget=forms.Select(choices=choices), **options)
    return forms.CharField(**options)


class TransitionForm(forms.Form):
    """One step of the life cycle, posted from the request page."""

    action = forms.ChoiceField(
        choices=[(a, label) for a, label in Action.choices if a not in ("approve", "reject")]
    )
    version = forms.IntegerField(min_value=0)
    comment = forms.CharField(required=False)
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=RATINGS, coerce=int, required=False, empty_value=None
    )
    # Confirming may thank the agent and the department at once (tickets.kudos).
    kudos = forms.CharField(required=False, max_length=KUDOS_MAX_LENGTH)


class KudosForm(forms.Form):
    message = forms.CharField(label=_("Your thanks"), max_length=KUDOS_MAX_LENGTH)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("Internal note (only the provider's agents see it)"),
                                  required=False)  # fmt: skip


class AssignForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False
    )

    def __init__(self, *args, provider: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = get_user_model().objects.filter(
            pk__in=Membership.objects.agents().filter(department=provider).values("user")
        )


class PriorityForm(forms.Form):
    version = forms.IntegerField(min_value=0)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


class DecisionForm(forms.Form):
    """An approval step decided on the request page or through an e-mailed link."""

    approval = forms.IntegerField(required=False)
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(required=False)


class MyRequestsFilterForm(forms.Form):
    """The filter of "My requests", from its query parameters: "" for all, "open", a status."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *Status.choices],
    )


class QueueFilterForm(forms.Form):
    """The filters of the queue page, from its query parameters."""

    department = forms.CharField(label=_("Department"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), ("all", _("All")), *Status.choices],
    )
    service = IdField(label=_("Service"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("All")), *Priority.choices]
    )
    assignee = forms.CharField(label=_("Assignee"), required=False)

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or "open"

    def clean_assignee(self) -> str | int:
        """ "mine", "unassigned", a person's id, or "" for anyone."""
        assignee = self.cleaned_data["assignee"].strip()
        if assignee in {"", "mine", "unassigned"}:
            return assignee
        return IdField().clean(assignee)


class DuePreviewForm(forms.Form):
    """The department, priority and answers typed so far that the due-time preview is asked
    for, from its query parameters; any may be missing (then `choose_preview` picks the default
    department and priority, and the approval steps are evaluated on the answers given)."""

    customer = IdField(label=_("Requesting department"), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", ""), *Priority.choices]
    )

    def __init__(self, *args, service: Service, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        for question in service.form_fields:
            if question["type"] != "file":
                self.fields[ANSWER_PREFIX + question["name"]] = _answer_field(question)

    def answers(self) -> dict[str, object]:
        """The valid answers typed so far, cleaned as filing cleans them."""
        data = {
            question["name"]: self.cleaned_data.get(ANSWER_PREFIX + question["name"])
            for question in self.service.form_fields
        }
        return answers_so_far(self.service.form_fields, data)


class ConfirmLinkForm(forms.Form):
    """Confirming a resolved request from the e-mailed link: a rating is optional."""

    rating = forms.TypedChoiceField(
        label=_("Rating (optional)"),
        choices=RATINGS,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Thanks to the agent and the department along with confirming (tickets.kudos).
    kudos = forms.CharField(
        required=False, max_length=KUDOS_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )
