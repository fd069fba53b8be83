"""The time left of the requests on a page, asked for once a minute by the page
(`{% time_left_poll %}`): one response for the whole page, one out-of-band fragment per request,
for the requests the person may see (others are left out, silently)."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from common.filters import IdField
from tickets import selectors
from tickets.models import Ticket

POLL_SECONDS = 60
MOST_REQUESTS = 100  # a page lists at most a few dozen


class RequestIdsField(forms.Field):
    """A list of request ids from repeated query parameters, each a valid id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: object) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if len(values) > MOST_REQUESTS:
            raise forms.ValidationError(
                _("Ask for at most %(count)d requests at once."),
                code="too_many",
                params={"count": MOST_REQUESTS},
            )
        return list(dict.fromkeys(IdField().clean(item) for item in values))


class TimeLeftForm(forms.Form):
    ticket = RequestIdsField(label=_("Requests"), required=False)


@require_GET
def time_left_updates(request: HttpRequest) -> HttpResponse:
    form = TimeLeftForm(request.GET)
    if not form.is_valid():
        return render(request, "tickets/_filter_errors.html", {"form": form}, status=400)
    ids = form.cleaned_data["ticket"]
    tickets = []
    if ids:
        visible = Ticket.objects.visible_to(request.user).filter(pk__in=ids)
        tickets = list(selectors.for_lists(visible).order_by("pk"))
        selectors.set_urgency(tickets, timezone.now())
    return render(request, "tickets/_time_left_updates.html", {"tickets": tickets})
