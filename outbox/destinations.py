"""Channels besides e-mail. Each kind of destination (a group chat's bot, a webhook) is a model
of its own, registered here with the function that delivers a message to one of its rows and
the one that says which of its rows receive a kind of message about a given row. Their messages
are outbox rows like any other (claimed, retried with back-off, withdrawn when no longer true),
one per (message kind, what it is about, destination)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from outbox.kinds import KINDS
from outbox.models import Message


class Later(Exception):
    """The destination cannot take the message now (its rate limit): try again in `seconds`,
    without counting an attempt."""

    def __init__(self, seconds: float, reason: str = ""):
        super().__init__(reason or f"held back for {seconds:g} s")
        self.seconds = seconds


class Broken(Exception):
    """The destination no longer accepts messages (a removed bot, a bad token): never retried;
    the deliverer has recorded it on the destination."""


@dataclass(frozen=True)
class Channel:
    model: type[models.Model]
    # Deliver the message or raise Later, Broken or any error (retried with back-off).
    deliver: Callable[[Message], None]
    # The destinations of this channel that receive `kind`, each with a `department_id`: it
    # hears of that department's events (None: of every department's).
    subscribers: Callable[[str], Iterable[models.Model]]


CHANNELS: dict[type[models.Model], Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.model] = channel
    return channel


def channel_of(message: Message) -> Channel:
    return CHANNELS[message.destination_type.model_class()]


def destinations_for(
    kind: str, abouts: Iterable[models.Model]
) -> list[tuple[models.Model, models.Model]]:
    """(about, destination) for each of `abouts` and each destination that hears of it: one
    query per channel however many rows (the breach scan tells thousands at once), and `abouts`
    are not even read when no destination receives the kind."""
    candidates = [
        destination for channel in CHANNELS.values() for destination in channel.subscribers(kind)
    ]
    if not candidates:
        return []
    heard_by = [(about, set(KINDS[kind].departments(about))) for about in abouts]
    return [
        (about, destination)
        for about, departments in heard_by
        for destination in candidates
        if destination.department_id is None or destination.department_id in departments
    ]
