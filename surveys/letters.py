"""The messages of surveys (outbox kinds): the invitation, then reminders to those who have not
answered. Both are withdrawn once the invitation is answered or its wave has closed. And the
opening of a wave, told to the group chats and webhooks of the departments it rates (never
e-mailed to anyone)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.kinds import Kind, register
from outbox.models import Message
from surveys.links import answer_path
from surveys.models import Invitation

INVITATION = "surveys.invitation"
REMINDER = "surveys.reminder"
WAVE_OPENED = "surveys.wave_opened"


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


def _wave_context(message: Message) -> dict:
    wave = message.about
    return {"wave": wave, "campaign": wave.campaign}


def _wave_withdrawn(message: Message) -> str:
    return "" if message.about.is_open(timezone.now()) else Message.CancelReason.WAVE_CLOSED


def _rated_departments(wave) -> list[int]:
    """The departments the wave's invitations rate, in one query."""
    return list(
        Invitation.objects.filter(wave=wave)
        .order_by()
        .values_list("rated_department_id", flat=True)
        .distinct()
    )


# No `label`: nobody receives it by e-mail, so the preferences page does not offer it; the
# chat bots' choice of kinds names it (chats.models.EventKind).
register(
    Kind(
        WAVE_OPENED,
        "surveys/wave_opened",
        _wave_context,
        _wave_withdrawn,
        ("campaign",),
        departments=_rated_departments,
    )
)
