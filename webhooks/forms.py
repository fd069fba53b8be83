from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from departments.models import Department, Membership
from webhooks.events import Event
from webhooks.models import Webhook


class WebhookForm(forms.ModelForm):
    """A webhook's URL, department and events. Heads choose among the departments they head;
    administrators may also leave the department empty for the whole company."""

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["url", "department", "events", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.all()
        if not user.is_superuser:
            headed = Membership.objects.heads().filter(user_id=user.pk).values("department_id")
            departments = departments.filter(pk__in=headed)
            self.fields["department"].required = True
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = _("The whole company")
        if self.instance.pk is None:
            del self.fields["active"]
        else:
            self.fields["active"].help_text = _(
                "Enabling a disabled webhook starts its count of failures again."
            )

    def save(self, commit: bool = True) -> Webhook:
        webhook = super().save(commit=False)
        if "active" in self.changed_data and webhook.active:
            webhook.consecutive_failures = 0
            webhook.disabled_at = None
        if commit:
            webhook.save()
        return webhook
