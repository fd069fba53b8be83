"""Who responds to a complaint or suggestion: the acting head of the department it is about
(its head, or while it has none the nearest head above it); once escalated, the person who
decides for the nearest common superior of both sides, never a party to it (the complainant,
or the head who already responded)."""

from __future__ import annotations

from departments.heads import acting_head, deciding_head
from feedback.models.complaints import Feedback


def responder(feedback: Feedback):
    """The person who owes the current response, or None when nobody is left to give it."""
    if feedback.escalated_to is None:
        return acting_head(feedback.department)
    parties = {feedback.complainant_id, feedback.responded_by_id}
    first = acting_head(feedback.department)
    if first is not None:
        parties.add(first.pk)
    return deciding_head(feedback.escalated_to, excluding=parties - {None})
