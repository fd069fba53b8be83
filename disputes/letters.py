"""The messages a dispute sends (outbox kinds): a decision asked of someone, and a dispute that
moved on (sent up, or decided). A request to decide is withdrawn once the dispute has moved on
from the step that asked it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from outbox.kinds import Kind, register
from outbox.models import Message

Reason = Message.CancelReason

TO_DECIDE = "disputes.to_decide"
MOVED_ON = "disputes.moved_on"

STEP = (
    "dispute__breach",
    "dispute__ticket__provider",
    "dispute__ticket__customer",
    "dispute__ticket__service",
    "dispute__ticket__requester",
    "dispute__ticket__agreement__calendar",
    "dispute__opened_by",
    "actor",
    "asked",
)


def _context(message: Message) -> dict:
    step = message.about
    return {
        "dispute": step.dispute,
        "step": step,
        "event": step,
        "ticket": step.dispute.ticket,
    }


def _to_decide_withdrawn(message: Message) -> str:
    step = message.about
    latest = step.dispute.steps.order_by("-at", "-pk").values_list("pk", flat=True).first()
    return "" if latest == step.pk else Reason.STATUS_CHANGED


register(
    Kind(
        TO_DECIDE,
        "disputes/to_decide",
        _context,
        _to_decide_withdrawn,
        STEP,
        label=_("A dispute of a breach waits on your decision"),
    )
)
register(
    Kind(
        MOVED_ON,
        "disputes/moved_on",
        _context,
        related=STEP,
        label=_("A dispute you take part in moves on"),
    )
)
