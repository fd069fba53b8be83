"""The forms of hand-offs on the request page: choosing the other department's service, the
child request itself (the service's own form, filed for the parent's provider), detaching."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Service
from common.filters import IdField
from tickets.forms import TicketForm
from tickets.models import Ticket


def hand_off_services(parent: Ticket):
    """The services a request's provider may hand off to: those other departments offer."""
    return (
        Service.objects.active()
        .exclude(provider=parent.provider_id)
        .select_related("provider")
        .order_by("provider__name", "name")
    )


class HandOffServiceForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service of another department"),
        queryset=Service.objects.none(),
        empty_label=_("Choose a service"),
    )

    def __init__(self, *args, parent: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = hand_off_services(parent)
        self.fields["service"].label_from_instance = lambda service: (
            f"{service.provider.name} · {service.name}"
        )


class HandOffForm(TicketForm):
    """The service's form, filed by the parent's provider as the customer."""

    def __init__(self, *args, service: Service, user, parent: Ticket, **kwargs):
        super().__init__(*args, service=service, user=user, **kwargs)
        self.departments = [parent.provider]
        self.fields["customer"].queryset = type(parent.provider).objects.filter(
            pk=parent.provider_id
        )
        self.fields["customer"].initial = parent.provider_id
        self.fields["customer"].help_text = _("A hand-off is filed by the parent's provider.")
        self.fields["customer"].disabled = True


class DetachForm(forms.Form):
    child = IdField()
