"""Each kind of message is declared once by the app that sends it, in its `letters` module:

    register(Kind(
        name="tickets.resolved",
        template="tickets/resolved",          # emails/tickets/resolved-subject.txt, -body.*
        context=lambda message: {...},        # what the templates show besides the recipient
        withdrawn=lambda message: "",         # why it no longer holds ("" while it does)
        related=("ticket__provider",),        # what to read with its `about` row
        departments=lambda about: [...],      # ids of those whose chats and webhooks hear of it
        label=_("A request is resolved"),     # offered on the preferences page
        link=lambda message: "/requests/…",   # where its notification in Accord leads
    ))

Who receives it is decided where its rows are written (outbox.services.queue); how (e-mail
now, hourly digest, in Accord only) by each recipient's preferences for kinds with a `label`.
In Accord a message reads as its e-mail's subject (`title`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

from outbox.models import Message


def _still_true(message: Message) -> str:
    return ""


def _nobody(about) -> list:
    return []


def _about_page(message: Message) -> str:
    get_absolute_url = getattr(message.about, "get_absolute_url", None)
    return get_absolute_url() if get_absolute_url else ""


@dataclass(frozen=True)
class Kind:
    name: str
    template: str
    context: Callable[[Message], dict]
    withdrawn: Callable[[Message], str] = _still_true
    related: tuple[str, ...] = ()
    # The ids of the departments whose group chats and webhooks hear of it (read without a
    # query from the `about` row, which fan-out reads in batches: outbox.destinations).
    departments: Callable[[object], list[int]] = _nobody
    # Its name on the preferences page; a kind without one is always e-mailed at once.
    label: str = ""
    # Offered on the preferences page, yet always e-mailed (its link is the way to answer).
    email_only: bool = False
    # The page its notification in Accord opens ("" for none).
    link: Callable[[Message], str] = _about_page

    def template_context(self, message: Message) -> dict:
        """What its templates show: the message, its recipient, and the kind's own context."""
        return {"message": message, "recipient": message.recipient, **self.context(message)}

    def title(self, message: Message) -> str:
        """One line for the notifications page: its e-mail's subject, in the active language.
        `message.about` is read as for sending (outbox.sending.load)."""
        context = {"site_url": settings.SITE_URL.rstrip("/"), **self.template_context(message)}
        subject = render_to_string(f"emails/{self.template}-subject.txt", context)
        # Joined into a plain str: the subject is rendered unescaped, the page escapes it.
        return " ".join(subject.split())


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if KINDS.get(kind.name, kind) != kind:
        raise ValueError(f"two declarations of the message kind {kind.name!r}")
    KINDS[kind.name] = kind
    return kind


def kind_of(message: Message) -> Kind:
    return KINDS[message.kind]
