"""Signed links that act without logging in (or before logging in): an approval decided from
its e-mail, a survey answered, a result confirmed.

A token is Django's signing (an HMAC keyed by SECRET_KEY) over a few ids: it cannot be forged or
guessed. Each kind of link has its own salt, so a token of one kind never opens another. Single
use is not stored: each caller checks that what the token names is still in the state the link
was sent for (undecided, unanswered, still resolved), and refuses it otherwise.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing


class InvalidLink(Exception):
    """A link that does not open: `reason` is "invalid" (tampered with or mistyped), "expired",
    or a reason of the caller's (e.g. "used"); `about` is what it named, when known."""

    def __init__(self, reason: str, about: object = None):
        super().__init__(reason)
        self.reason, self.about = reason, about


def link_token(salt: str, **fields: object) -> str:
    """A token signing `fields` (JSON values) for links of the kind `salt` names."""
    return signing.dumps(fields, salt=salt)


def link_fields(token: str, *, salt: str, max_age: timedelta | None = None) -> dict:
    """The fields a token of the kind `salt` signed; InvalidLink("invalid") for anything else,
    InvalidLink("expired") when it is older than `max_age`."""
    try:
        fields = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise InvalidLink("expired") from error
    except signing.BadSignature as error:
        raise InvalidLink("invalid") from error
    if not isinstance(fields, dict):
        raise InvalidLink("invalid")
    return fields
