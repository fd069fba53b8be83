from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.widgets import DatePicker
from departments.models import Department
from surveys.models import MIN_RESPONDENTS_FLOOR, Campaign, Question, QuestionKind
from surveys.results import ALL

# The largest id a database key holds (a signed 64-bit integer); anything above is no id at all.
MAX_ID = 2**63 - 1
# The value of the respondent filter meaning the pooled "other departments" group.
OTHER_GROUP = "other"


class PageForm(forms.Form):
    """The page number of a paginated list."""

    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ResultsFilterForm(forms.Form):
    """The query of a results page: answers by every department (empty), by one department (its
    id) or by the pooled "other departments" group."""

    respondent = forms.CharField(required=False, max_length=20)

    def clean_respondent(self) -> int | str | None:
        value = self.cleaned_data["respondent"]
        if value in ("", ALL):
            return ALL
        if value == OTHER_GROUP:
            return None
        try:
            return forms.IntegerField(min_value=1, max_value=MAX_ID).clean(value)
        except forms.ValidationError:
            raise forms.ValidationError(_("Choose a department from the list.")) from None


class BankQuestionField(forms.ModelMultipleChoiceField):
    """Bank questions, each labelled in the reader's language."""

    def label_from_instance(self, question: Question) -> str:
        return question.localized_text


class CampaignForm(forms.ModelForm):
    questions = BankQuestionField(
        label=_("Questions"),
        queryset=Question.objects.filter(archived=False),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the question bank; the default template is chosen for a new campaign."),
    )
    reminder_days = forms.CharField(
        label=_("Reminders (days after launch)"),
        required=False,
        help_text=_("E.g. 3, 7: those who have not answered are reminded on these days."),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "cadence",
            "starts_on",
            "answer_days",
            "audience",
            "respondent_departments",
            "rated_departments",
            "anonymous",
            "min_respondents",
            "min_comment_group",
        ]
        widgets = {
            "starts_on": DatePicker(),
            "audience": forms.RadioSelect,
            "respondent_departments": forms.CheckboxSelectMultiple,
            "rated_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.current().order_by("name")
        self.fields["respondent_departments"].queryset = departments
        self.fields["rated_departments"].queryset = departments
        if self.instance.pk:
            self.initial["questions"] = [
                question.source_id for question in self.instance.questions.all()
            ]
            self.initial["reminder_days"] = ", ".join(map(str, self.instance.reminder_days))
        else:
            self.initial.setdefault(
                "questions",
                list(Question.objects.filter(in_default_template=True, archived=False)),
            )
            self.initial.setdefault("reminder_days", "3, 7")

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        if starts_on < timezone.localdate():
            raise forms.ValidationError(_("The first launch cannot be in the past."))
        return starts_on

    def clean_reminder_days(self) -> list[int]:
        text = self.cleaned_data["reminder_days"].replace("，", ",")
        try:
            return sorted({int(part) for part in text.split(",") if part.strip()})
        except ValueError:
            raise forms.ValidationError(
                _("Write whole numbers of days separated by commas, e.g. 3, 7.")
            ) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("audience") == Campaign.Audience.CHOSEN and not (
            cleaned.get("respondent_departments") and cleaned.get("rated_departments")
        ):
            raise forms.ValidationError(
                _("Choose the departments that answer and the departments they rate.")
            )
        floor = cleaned.get("min_respondents") or MIN_RESPONDENTS_FLOOR
        if (cleaned.get("min_comment_group") or floor) < floor:
            self.add_error(
                "min_comment_group",
                _("Comments need a group at least as large as the smallest group shown."),
            )
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        # The model's clean() checks the reminder days against the window.
        if "reminder_days" in self.cleaned_data:
            self.instance.reminder_days = self.cleaned_data["reminder_days"]
            try:
                self.instance.clean()
            except forms.ValidationError as error:
                self._update_errors(error)


class QuestionForm(forms.ModelForm):
    choices = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For a single choice: one option a line."),
    )

    class Meta:
        model = Question
        fields = ["text", "text_zh_hans", "kind", "choices", "required", "dimension"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["choices"] = "\n".join(self.instance.choices or [])

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class AnswerForm(forms.Form):
    """The survey: one field per question, named q<id>."""

    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[f"q{question.pk}"] = _field(question)

    def answers(self) -> dict[int, int | str | None]:
        values: dict[int, int | str | None] = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.scale and value not in (None, ""):
                value = int(value)
            values[question.pk] = value or (0 if value == 0 else None)
        return values


def _field(question) -> forms.Field:
    label, required = question.localized_text, question.required
    if question.scale:
        low, high = question.scale
        return forms.TypedChoiceField(
            label=label,
            required=required,
            coerce=int,
            empty_value=None,
            choices=[(value, str(value)) for value in range(low, high + 1)],
            widget=forms.RadioSelect(attrs={"class": "scale"}),
            help_text=_("1: strongly disagree, 5: strongly agree")
            if question.kind == QuestionKind.LIKERT
            else _("0: not at all likely, 10: extremely likely"),
        )
    if question.kind == QuestionKind.CHOICE:
        return forms.ChoiceField(
            label=label,
            required=required,
            choices=[(choice, choice) for choice in question.choices],
            widget=forms.RadioSelect,
        )
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
