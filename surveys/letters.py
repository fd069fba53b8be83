"""The messages of surveys (outbox kinds): the invitation, then reminders to those who have not
answered. Both are withdrawn once the invitation is answered or its wave has closed."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.kinds import Kind, register
from outbox.models import Message
from surveys.links import answer_path

INVITATION = "surveys.invitation"
REMINDER = "surveys.reminder"


def _context(message: Message) -> dict:
    invitation = message.about
    return {
        "invitation": invitation,
        "campaign": invitation.wave.campaign,
        "wave": invitation.wave,
        "department": invitation.rated_department,
        "answer_link": answer_path(invitation),
    }


def _withdrawn(message: Message) -> str:
    invitation = message.about
    if invitation.answered:
        return Message.CancelReason.ANSWERED
    if not invitation.wave.is_open(timezone.now()):
        return Message.CancelReason.WAVE_CLOSED
    return ""


for name, label in [(INVITATION, _("Survey invitations")), (REMINDER, _("Survey reminders"))]:
    register(
        Kind(
            name,
            name.replace(".", "/"),
            _context,
            _withdrawn,
            ("wave__campaign", "rated_department"),
            label=label,
            # Their signed link is the way to answer: always e-mailed, and shown in Accord to
            # their recipient only (the notifications page lists one's own messages).
            email_only=True,
            link=lambda message: answer_path(message.about),
        )
    )
