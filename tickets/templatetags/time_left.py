"""The time left of a request, for `templates/tickets/_urgency.html`, and the one poll per page
that keeps every time left shown on the page current (tickets.live)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from tickets import live, selectors
from tickets.models import Ticket

register = template.Library()


@register.simple_tag
def urgency_of(ticket: Ticket) -> selectors.Urgency:
    """The urgency a list gave the request (`selectors.set_urgency`), or, on a page showing one
    request, read now: a few queries, once."""
    urgency = getattr(ticket, "urgency", None)
    if urgency is None:
        annotated = selectors.for_lists(Ticket.objects.filter(pk=ticket.pk))
        tickets = list(annotated)
        selectors.set_urgency(tickets, timezone.now())
        urgency = tickets[0].urgency if tickets else selectors.Urgency("")
        ticket.urgency = urgency
    return urgency


@register.inclusion_tag("tickets/_time_left_poll.html")
def time_left_poll(*shown: Ticket | Iterable[Ticket]) -> dict:
    """An element that asks every minute, in one request, for the current time left of the
    requests shown (requests, or lists of them; each once)."""
    groups = [[item] if isinstance(item, Ticket) else item for item in shown]
    ids = list(dict.fromkeys(ticket.pk for group in groups for ticket in group))
    url = reverse("tickets:time_left") + "?" + urlencode({"ticket": ids}, doseq=True)
    return {"ids": ids, "url": url, "seconds": live.POLL_SECONDS}
