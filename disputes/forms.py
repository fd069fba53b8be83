"""The forms of the disputes pages: open a dispute, decide one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import Reason

TEXT_MAX = 4000


class OpenDisputeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Reason.choices)
    text = forms.CharField(
        label=_("Explanation"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What happened, for the customer's head (and the head above) to judge."),
    )


class DecideDisputeForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("waive", _("Waive the breach")), ("uphold", _("Let the breach stand"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
