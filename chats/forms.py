from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chats.models import SIGNED_VENDORS, ChatBot, EventKind
from chats.vendors import endpoint
from common.encrypted import is_unreadable

SET = _("••• set, enter a new one to replace it")
UNREADABLE = _("cannot be read, enter it again")


class ChatBotForm(forms.ModelForm):
    """Add or change a bot. The address and the secret are written, never shown back: left
    empty when changing a bot, they keep their saved value."""

    address = forms.CharField(
        label=_("Webhook address"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "WeCom: the robot's webhook URL or its key. DingTalk: the webhook URL or its "
            "access token. Feishu / Lark, Slack, Teams: the webhook URL."
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk and Feishu only, when the bot's security setting is a signature."),
    )
    kinds = forms.MultipleChoiceField(
        label=_("Events it receives"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ChatBot
        fields = ["vendor", "name", "address", "secret", "language", "kinds"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.pop("address", None)
        self.initial.pop("secret", None)
        if is_unreadable(self.instance.address):
            self.fields["address"].required = True
            self.fields["address"].widget.attrs["placeholder"] = UNREADABLE
        elif self.instance.pk:
            self.fields["address"].widget.attrs["placeholder"] = SET
        if is_unreadable(self.instance.secret):
            self.fields["secret"].widget.attrs["placeholder"] = UNREADABLE
        elif self.instance.secret:
            self.fields["secret"].widget.attrs["placeholder"] = SET
        if not self.instance.pk:
            self.fields["address"].required = True

    def clean(self) -> dict:
        cleaned = super().clean()
        vendor = cleaned.get("vendor")
        address = cleaned.get("address") or ""
        if not address and self.instance.pk and vendor == self.instance.vendor:
            cleaned["address"] = self.instance.address
        elif not address and self.instance.pk:
            self.add_error("address", _("Enter the webhook address of the new app."))
        elif address and vendor:
            try:
                url = endpoint(vendor, address)
            except ValueError:
                self.add_error("address", _("This app needs the full webhook URL."))
            else:
                if not url.startswith(("https://", "http://")):
                    self.add_error("address", _("Enter a web address (https://…)."))
        secret = cleaned.get("secret") or ""
        if not secret and is_unreadable(self.instance.secret) and vendor in SIGNED_VENDORS:
            self.add_error("secret", _("The saved secret cannot be read: enter it again."))
        elif not secret and self.instance.pk:
            cleaned["secret"] = self.instance.secret
        if vendor and vendor not in SIGNED_VENDORS:
            cleaned["secret"] = ""
        return cleaned

    def save(self, commit: bool = True) -> ChatBot:
        bot = super().save(commit=False)
        bot.address = self.cleaned_data["address"]
        bot.secret = self.cleaned_data["secret"]
        if {"address", "secret", "vendor"} & set(self.changed_data):
            # New credentials: give the bot another chance.
            bot.broken_at, bot.broken_reason = None, ""
        if commit:
            bot.save()
        return bot
