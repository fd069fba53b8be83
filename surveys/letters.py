"""The messages of surveys (outbox kinds): the invitation, then reminders to those who have not
answered; one e-mail per person per wave (and round), about the Wave, listing each department
they are still to rate with its own signed link. Both are withdrawn once every listed invitation
is answered or the wave has closed. Rows written before that (about one Invitation each) still
send as they were written: about that one department. And the opening of a wave, told to the
group chats and webhooks of the departments it rates (never e-mailed to anyone)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.kinds import Kind, register
from outbox.models import Message
from surveys.links import answer_path
from surveys.models import Invitation, Wave

INVITATION = "surveys.invitation"
REMINDER = "surveys.reminder"
WAVE_OPENED = "surveys.wave_opened"


def _listed(message: Message) -> tuple[Wave, list[Invitation]]:
    """The message's wave and the invitations it lists: its recipient's unanswered ones in the
    wave, by department name (read once per message: context, title, link and withdrawal all
    ask)."""
    cached = getattr(message, "_survey_listed", None)
    if cached is None:
        about = message.about
        if isinstance(about, Wave):
            invitations = list(
                Invitation.objects.filter(
                    wave=about, recipient_id=message.recipient_id, answered=False
                )
                .select_related("rated_department")
                .order_by("rated_department__name", "pk")
            )
            cached = (about, invitations)
        else:  # a row written about one invitation, before one e-mail listed them all
            cached = (about.wave, [] if about.answered else [about])
        message._survey_listed = cached
    return cached


def _context(message: Message) -> dict:
    wave, invitations = _listed(message)
    links = [
        {"department": invitation.rated_department, "answer_link": answer_path(invitation)}
        for invitation in invitations
    ]
    first = links[0] if links else {"department": None, "answer_link": ""}
    return {
        "campaign": wave.campaign,
        "wave": wave,
        "invitations": links,
        # The first listed, for the wording of an e-mail about one department.
        "department": first["department"],
        "answer_link": first["answer_link"],
    }


def _withdrawn(message: Message) -> str:
    wave, invitations = _listed(message)
    if not invitations:
        return Message.CancelReason.ANSWERED
    if not wave.is_open(timezone.now()):
        return Message.CancelReason.WAVE_CLOSED
    return ""


def _link(message: Message) -> str:
    _wave, invitations = _listed(message)
    return answer_path(invitations[0]) if invitations else ""


for name, label in [(INVITATION, _("Survey invitations")), (REMINDER, _("Survey reminders"))]:
    register(
        Kind(
            name,
            name.replace(".", "/"),
            _context,
            _withdrawn,
            # None: its rows are about a Wave, or (written earlier) about an Invitation, and
            # the outbox reads the same paths for both; _listed reads what it needs.
            (),
            label=label,
            # Their signed links are the way to answer: always e-mailed, and shown in Accord to
            # their recipient only (the notifications page lists one's own messages).
            email_only=True,
            link=_link,
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
