"""The e-mail a webhook's owner receives when Accord disables it (outbox kind)."""

from __future__ import annotations

from django.conf import settings

from outbox.kinds import Kind, register
from outbox.models import Message

DISABLED = "webhooks.disabled"


def _context(message: Message) -> dict:
    webhook = message.about
    return {
        "webhook": webhook,
        "failures": webhook.consecutive_failures,
        "limit": settings.WEBHOOKS_DISABLE_AFTER_FAILURES,
    }


def _withdrawn(message: Message) -> str:
    # Enabled again before the e-mail went out: nothing to tell.
    return Message.CancelReason.STATUS_CHANGED if message.about.active else ""


register(Kind(DISABLED, "webhooks/disabled", _context, _withdrawn, ("owner", "department")))
