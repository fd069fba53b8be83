"""Each kind of message is declared once by the app that sends it, in its `letters` module:

    register(Kind(
        name="tickets.resolved",
        template="tickets/resolved",          # emails/tickets/resolved-subject.txt, -body.*
        context=lambda message: {...},        # what the templates show besides the recipient
        withdrawn=lambda message: "",         # why it no longer holds ("" while it does)
        related=("ticket__provider",),        # what to read with its `about` row
        departments=lambda about: [...],      # whose group chats and webhooks hear of it
    ))

Who receives it is decided where its rows are written (outbox.services.queue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from outbox.models import Message


def _still_true(message: Message) -> str:
    return ""


def _nobody(about) -> list:
    return []


@dataclass(frozen=True)
class Kind:
    name: str
    template: str
    context: Callable[[Message], dict]
    withdrawn: Callable[[Message], str] = _still_true
    related: tuple[str, ...] = ()
    # The departments whose group chats and webhooks hear of it (outbox.destinations).
    departments: Callable[[object], list] = _nobody


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if KINDS.get(kind.name, kind) != kind:
        raise ValueError(f"two declarations of the message kind {kind.name!r}")
    KINDS[kind.name] = kind
    return kind


def kind_of(message: Message) -> Kind:
    return KINDS[message.kind]
