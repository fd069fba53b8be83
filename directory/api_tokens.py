"""A person's own API token (DRF's `Token`, one per person, sent as `Authorization: Token …`),
created, replaced and deleted from their API token page, whichever way they sign in. Each change
is confirmed against the token the person saw (a change made meanwhile, in another tab or through
`POST /api/auth/token/`, is refused) and recorded in the admin's history of the person: who,
when, what. An inactive person has none: deactivating deletes it (directory.leavers)."""

from __future__ import annotations

import hashlib
from http import HTTPStatus

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework.authtoken.models import Token

from common.errors import DomainError

# Stored untranslated in the admin's log, which translates it when it shows the entry.
TOKEN_NAME = gettext_noop("API token")


class StaleApiToken(DomainError):
    """The person's token is no longer the one they confirmed a change of."""

    status_code = HTTPStatus.CONFLICT


def api_token_of(user: AbstractBaseUser) -> Token | None:
    """`user`'s API token, if they have one."""
    return Token.objects.filter(user=user).first()


def fingerprint(token: Token | None) -> str:
    """What a confirmation form carries to name the token it was shown ("" for none): a digest,
    never the key itself."""
    return "" if token is None else hashlib.sha256(token.key.encode()).hexdigest()[:16]


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, seen: str) -> Token:
    """Give `user`, who had no token when they asked (`seen` is ""), a new one."""
    person = _locked_token_holder(user, seen)
    token, created = Token.objects.get_or_create(user=person)
    if not created:  # made meanwhile through POST /api/auth/token/
        raise StaleApiToken(_("You have an API token already."))
    _record(person, {"added": {"name": TOKEN_NAME, "object": person.get_username()}})
    return token


@transaction.atomic
def api_token_obtain(*, user: AbstractBaseUser) -> Token:
    """`user`'s token for POST /api/auth/token/: the one they have, or a new one, recorded as
    the page records it (only when it is made)."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        _record(user, {"added": {"name": TOKEN_NAME, "object": user.get_username()}})
    return token


@transaction.atomic
def api_token_replace(*, user: AbstractBaseUser, seen: str) -> Token:
    """Replace `user`'s token, the one `seen` names, by a new one; the old one stops working
    at once."""
    person = _locked_token_holder(user, seen, needs_token=True)
    Token.objects.filter(user=person).delete()
    token = Token.objects.create(user=person)
    _record(
        person,
        {"changed": {"name": TOKEN_NAME, "object": person.get_username(), "fields": ["key"]}},
    )
    return token


@transaction.atomic
def api_token_delete(*, user: AbstractBaseUser, seen: str) -> None:
    """Delete `user`'s token, the one `seen` names."""
    person = _locked_token_holder(user, seen, needs_token=True)
    Token.objects.filter(user=person).delete()
    _record(person, {"deleted": {"name": TOKEN_NAME, "object": person.get_username()}})


def _locked_token_holder(
    user: AbstractBaseUser, seen: str, *, needs_token: bool = False
) -> AbstractBaseUser:
    """`user`, locked (as deactivating them locks them), when they are active and their token is
    still the one `seen` names."""
    person = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not person.is_active:
        raise PermissionDenied(_("An inactive account has no API token."))
    current = fingerprint(api_token_of(person))
    if current != seen:
        raise StaleApiToken(
            _("Your API token changed since you opened this page. Please look at it again.")
        )
    if needs_token and not current:
        raise StaleApiToken(_("You have no API token."))
    return person


def _record(person: AbstractBaseUser, change: dict) -> None:
    """The person's own change, in the admin's history of their account (who, when, what)."""
    LogEntry.objects.log_actions(
        user_id=person.pk, queryset=[person], action_flag=CHANGE, change_message=[change]
    )
