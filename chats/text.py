"""The text a group reads: templates/chats/<kind>.txt rendered in the bot's language with what
the kind's e-mail shows, plus the working time left (or overdue) and the links to act on it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chats.vendors import Post
from outbox.kinds import kind_of
from outbox.models import Message


def compose(message: Message, language: str) -> Post:
    """The post announcing `message` to a group whose language is `language`."""
    kind = kind_of(message)
    with translation.override(language):
        context = {"site_url": site_url(), **kind.context(message)}
        context["left"] = working_time_left(context, timezone.now())
        text = render_to_string(f"chats/{kind.template}.txt", context)
        return _post(text, links(context))


def test_post(bot, language: str) -> Post:
    """The message "send a test message" posts."""
    with translation.override(language):
        text = render_to_string("chats/test.txt", {"bot": bot, "site_url": site_url()})
        return _post(text, [(_("Open Accord"), site_url() + "/")])


def _post(text: str, links: list[tuple[str, str]]) -> Post:
    """The rendered template's first line is the heading, the others its text (plain text: the
    vendors escape them for their markup)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    title, body = (lines[0], lines[1:]) if lines else ("", [])
    return Post(title=title[:200], text="\n".join(body), links=links)


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def links(context: dict) -> list[tuple[str, str]]:
    """Open the request (or the agreement, or the queue for a summary); for an approval,
    approve / reject through its signed confirmation page (a GET never decides)."""
    found = []
    if context.get("approval_link"):
        found.append((_("Approve / reject"), site_url() + context["approval_link"]))
    if context.get("ticket") is not None:
        found.append((_("Open the request"), site_url() + context["ticket"].get_absolute_url()))
    if context.get("agreement") is not None:
        found.append(
            (_("Open the agreement"), site_url() + context["agreement"].get_absolute_url())
        )
    if context.get("wave") is not None:
        found.append((_("Open the survey wave"), site_url() + context["wave"].get_absolute_url()))
    if context.get("awards_path"):
        found.append((_("See every award"), site_url() + context["awards_path"]))
    if context.get("queue_path"):
        found.append((_("Open the queue"), site_url() + context["queue_path"]))
    return found


def working_time_left(context: dict, now: datetime) -> timedelta | None:
    """Working time until the due time the message is about, negative once overdue; None for
    kinds without one or requests without an agreement. Read through the request's own
    calendar (no import of tickets: chats sits below it)."""
    ticket = context.get("ticket")
    if ticket is None or getattr(ticket, "agreement", None) is None:
        return None
    alert = context.get("alert")
    approval = context.get("approval")
    if alert is not None:
        due = alert.due_at
    elif approval is not None:
        due = approval.due_at
    elif context.get("event") is not None and not ticket.first_responded_at:
        due = ticket.first_response_due_at
    else:
        return None
    if due is None:
        return None
    clock = ticket.agreement.calendar.as_clock()
    return clock.between(now, due) if due >= now else -clock.between(due, now)
