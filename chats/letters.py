"""The messages of chats (outbox kinds): the e-mail telling the heads of a department once that
its app refuses one of its bots for good (a removed robot, a bad token or signature), and the
summary a bot posts instead of a burst of messages it could not take in time
(chats.delivery.fold_burst)."""

from __future__ import annotations

from django.urls import reverse

from chats.models import EventKind
from outbox.kinds import Kind, kind_of, register
from outbox.models import Message

BROKEN = "chats.broken"
SUMMARY = "chats.summary"
# A summary lists at most this many messages (a request number takes ~8 characters), which
# keeps it within every app's size; a longer burst makes another summary.
SUMMARY_SIZE = 200


def _context(message: Message) -> dict:
    bot = message.about
    return {
        "bot": bot,
        "department": bot.department,
        "bots_path": reverse("chats:list", args=[bot.department.code]),
    }


register(Kind(BROKEN, "chats/broken", _context, related=("department",)))


def _summary_context(message: Message) -> dict:
    """The folded messages by kind, each with what it was about (its request's number, or its
    agreement's or survey's name), and the link to the queue."""
    from outbox.sending import load  # sending imports the channels' deliverers

    folded = load(list(message.gathered.order_by("pk").values_list("pk", flat=True)))
    by_kind: dict[str, list[str]] = {}
    for folded_message in folded:
        subjects = by_kind.setdefault(_kind_label(folded_message.kind), [])
        subjects.append(_subject(folded_message))
    return {
        "count": len(folded),
        "kinds": [
            {"label": label, "subjects": [subject for subject in subjects if subject]}
            for label, subjects in by_kind.items()
        ],
        "queue_path": reverse("tickets:queue"),
    }


def _subject(message: Message) -> str:
    if message.about is None:
        return ""
    context = kind_of(message).context(message)
    for name, attribute in (("ticket", "reference"), ("agreement", "title"), ("campaign", "name")):
        if context.get(name) is not None:
            return str(getattr(context[name], attribute))
    return ""


def _kind_label(kind: str) -> str:
    return str(EventKind(kind).label) if kind in EventKind.values else kind


register(Kind(SUMMARY, "chats/summary", _summary_context))
