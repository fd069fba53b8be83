"""Signed, expiring, single-use links to answer a survey without logging in.

The token is an HMAC signature (Django's signing, keyed by SECRET_KEY) over the invitation and
its recipient: it cannot be forged or guessed. It expires when its wave closes, and it is single
use because answering marks the invitation answered under a conditional UPDATE.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from common.signed_links import InvalidLink, link_fields, link_token
from surveys.models import Invitation

SALT = "accord.surveys.answer-link"


def answer_token(invitation: Invitation) -> str:
    return link_token(SALT, i=invitation.pk, r=invitation.recipient_id)


def answer_path(invitation: Invitation) -> str:
    return reverse("surveys:answer", args=[answer_token(invitation)])


class InvalidAnswerLink(Exception):
    """Tampered with ("invalid"), past its wave's closing ("expired"), or used ("answered")."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason, self.invitation = reason, invitation


def invitation_from_token(token: str) -> Invitation:
    """The unanswered, still open invitation a token names; InvalidAnswerLink otherwise."""
    try:
        data = link_fields(token, salt=SALT)
    except InvalidLink as error:
        raise InvalidAnswerLink("invalid") from error
    invitation = (
        Invitation.objects.select_related("wave__campaign", "rated_department", "recipient")
        .filter(pk=data.get("i"), recipient_id=data.get("r"))
        .first()
    )
    if invitation is None:
        raise InvalidAnswerLink("invalid")
    if invitation.answered:
        raise InvalidAnswerLink("answered", invitation)
    if not invitation.wave.is_open(timezone.now()):
        raise InvalidAnswerLink("expired", invitation)
    return invitation
