"""Signed, single-use links that let a requester confirm a resolved request (and rate it)
without logging in.

The token signs the request, its requester and the instant it was resolved: it opens only while
that resolution stands, so it is single use (confirming, reopening or the request confirming
itself ends it) without a stored token. Opening it shows a page; only its POST confirms.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils.dateparse import parse_datetime

from common.signed_links import InvalidLink, link_fields, link_token
from tickets.models import Status, Ticket

SALT = "accord.tickets.confirm-link"
# Longer than any confirmation period (MAX_CONFIRM_WITHIN_DAYS working days): the link stops
# working long before, when the request confirms itself.
MAX_AGE = timedelta(days=90)


def confirm_link_token(ticket: Ticket) -> str:
    return link_token(SALT, t=ticket.pk, r=ticket.requester_id, at=ticket.resolved_at.isoformat())


def confirm_link_path(ticket: Ticket) -> str:
    return reverse("tickets:confirm_link", args=[confirm_link_token(ticket)])


def ticket_from_confirm_token(token: str) -> Ticket:
    """The resolved request a token names, still awaiting the confirmation the link was sent
    for; InvalidLink otherwise: "invalid", "expired", "confirmed" (by the requester or by
    itself), or "reopened" (the resolution the link was sent for no longer stands)."""
    fields = link_fields(token, salt=SALT, max_age=MAX_AGE)
    resolved_at = parse_datetime(str(fields.get("at", "")))
    ticket = (
        Ticket.objects.select_related("service", "provider", "customer", "requester", "agreement")
        .filter(pk=fields.get("t"), requester_id=fields.get("r"))
        .first()
    )
    if ticket is None or resolved_at is None:
        raise InvalidLink("invalid")
    if ticket.confirmed_at is not None and ticket.status == Status.CLOSED:
        raise InvalidLink("confirmed", ticket)
    if ticket.status != Status.RESOLVED or ticket.resolved_at != resolved_at:
        raise InvalidLink("reopened", ticket)
    return ticket
