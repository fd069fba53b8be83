"""The page a requester's signed link opens: confirm a resolved request and rate the service,
without logging in (tickets.confirm_links). GET shows the request; only POST confirms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import cache_control

from common.signed_links import InvalidLink
from departments.models import preferred_language
from tickets import services
from tickets.confirm_links import ticket_from_confirm_token
from tickets.forms import ConfirmLinkForm
from tickets.kudos import kudos_on_confirming
from tickets.models import Ticket

LINK_STATUS = {"invalid": 404, "expired": 410, "confirmed": 410, "reopened": 410}


@login_not_required
# Opened without signing in, yet the requester's own page: not kept by browsers or proxies.
@cache_control(private=True, no_store=True)
def confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """Confirm (and rate) a resolved request from the link in its e-mail."""
    try:
        ticket = ticket_from_confirm_token(token)
    except InvalidLink as error:
        return _closed(request, error.reason, error.about)
    with translation.override(preferred_language(ticket.requester)):
        form = ConfirmLinkForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    with transaction.atomic():
                        services.ticket_confirm(
                            ticket_id=ticket.pk,
                            by=ticket.requester,
                            expected_version=None,
                            rating=form.cleaned_data["rating"],
                            comment=form.cleaned_data["comment"],
                        )
                        kudos_on_confirming(
                            ticket_id=ticket.pk,
                            by=ticket.requester,
                            message=form.cleaned_data["kudos"],
                        )
                except services.StaleTicket:
                    # Confirmed (by itself) or reopened between the page and the button.
                    ticket.refresh_from_db()
                    return _closed(
                        request, "confirmed" if ticket.confirmed_at else "reopened", ticket
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    ticket.refresh_from_db()
                    return render(request, "tickets/confirm_link_done.html", {"ticket": ticket})
        return render(
            request, "tickets/confirm_link.html", {"ticket": ticket, "form": form}, status=status
        )


def _closed(request: HttpRequest, reason: str, ticket: Ticket | None) -> HttpResponse:
    language = preferred_language(ticket.requester) if ticket else translation.get_language()
    with translation.override(language):
        return render(
            request,
            "tickets/confirm_link_invalid.html",
            {"reason": reason, "ticket": ticket},
            status=LINK_STATUS.get(reason, 404),
        )
