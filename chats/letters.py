"""The e-mail of chats (an outbox kind): a bot that its app refuses for good (a removed robot,
a bad token or signature) is marked broken, and the heads of its department are told once."""

from __future__ import annotations

from django.urls import reverse

from outbox.kinds import Kind, register
from outbox.models import Message

BROKEN = "chats.broken"


def _context(message: Message) -> dict:
    bot = message.about
    return {
        "bot": bot,
        "department": bot.department,
        "bots_path": reverse("chats:list", args=[bot.department.code]),
    }


register(Kind(BROKEN, "chats/broken", _context, related=("department",)))
