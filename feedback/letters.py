"""The messages of complaints and suggestions (outbox kinds). Each is about the FeedbackEvent
that caused it and goes to people only: a complaint is for the head who answers it, so no
group chat or webhook hears of it. The complainant's name is read through
`Feedback.complainant_for(recipient)`, hidden when it is anonymous.

A message to the head is withdrawn once the round it belongs to is responded to (or closed)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from feedback.models.complaints import Feedback, FeedbackEvent, Status
from feedback.responders import responder
from outbox.kinds import Kind, register
from outbox.models import Message
from outbox.services import queue_each

FILED = "feedback.filed"
RESPONDED = "feedback.responded"
REOPENED = "feedback.reopened"
ESCALATED = "feedback.escalated"
WARNING = "feedback.warning"
BREACH = "feedback.breach"
PARENT_TOLD = "feedback.parent_told"

RELATED = ("feedback__department", "feedback__escalated_to", "feedback__complainant", "actor")


def _context(message: Message) -> dict:
    event: FeedbackEvent = message.about
    feedback = event.feedback
    return {
        "feedback": feedback,
        "feedback_event": event,
        "complainant": feedback.complainant_for(message.recipient),
    }


def _round_answered(message: Message) -> str:
    """A message to the head holds while its round waits for a response."""
    event: FeedbackEvent = message.about
    feedback = event.feedback
    if feedback.round != event.round or feedback.status != Status.OPEN:
        return Message.CancelReason.STATUS_CHANGED
    return ""


def _feedback_page(message: Message) -> str:
    return message.about.feedback.get_absolute_url()


for name, label, withdrawn in [
    (FILED, _("A complaint or suggestion reaches your department"), _round_answered),
    (REOPENED, _("A complaint or suggestion is reopened"), _round_answered),
    (ESCALATED, _("A complaint or suggestion is escalated to you"), _round_answered),
    (WARNING, _("A complaint or suggestion is about to miss its response target"), _round_answered),
    (BREACH, _("A complaint or suggestion missed its response target"), _round_answered),
    (PARENT_TOLD, _("A complaint or suggestion below you is still unanswered"), _round_answered),
    (RESPONDED, _("Your complaint or suggestion is responded to"), None),
]:
    register(
        Kind(
            name,
            "feedback/notice",
            _context,
            **({"withdrawn": withdrawn} if withdrawn else {}),
            related=RELATED,
            label=label,
            link=_feedback_page,
        )
    )


def filed(feedback: Feedback, event: FeedbackEvent) -> None:
    _to_head(FILED, feedback, event)


def reopened(feedback: Feedback, event: FeedbackEvent) -> None:
    _to_head(REOPENED, feedback, event)


def escalated(feedback: Feedback, event: FeedbackEvent) -> None:
    _to_head(ESCALATED, feedback, event)


def responded(feedback: Feedback, event: FeedbackEvent) -> None:
    queue_each(RESPONDED, [(event, feedback.complainant)])


def alerted(kind: str, addressed: list[tuple[FeedbackEvent, object]]) -> list[Message]:
    """The scan's warnings, breaches and escalations, to the heads it found."""
    return queue_each(kind, [(event, head) for event, head in addressed if head is not None])


def _to_head(kind: str, feedback: Feedback, event: FeedbackEvent) -> None:
    head = responder(feedback)
    if head is not None:
        queue_each(kind, [(event, head)])
