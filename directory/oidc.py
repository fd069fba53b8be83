"""Single sign-on through OpenID Connect: mozilla-django-oidc's authorization-code flow (with PKCE
and a nonce) plus Accord's rules. The provider's endpoints are discovered when a sign-in first
needs them, the ID token's signature, audience and issuer are checked, people are matched to the
directory (never half-made), and their name, e-mail and language follow the claims at every
sign-in. Every way a sign-in can fail is a `SignInFailed` naming a page to show."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from departments.models import Profile

BACKEND = "directory.oidc.SingleSignOnBackend"
DISCOVERY_SECONDS = 60 * 60
# The provider's clock and ours may differ a little.
CLOCK_SKEW_SECONDS = 60
ENDPOINT_SETTINGS = {
    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT",
    "jwks_uri": "OIDC_OP_JWKS_ENDPOINT",
    "end_session_endpoint": "OIDC_END_SESSION_ENDPOINT",
}

logger = logging.getLogger(__name__)


class Failure(StrEnum):
    """Why a single sign-on ended without signing anyone in."""

    NOT_IN_DIRECTORY = "not_in_directory"
    DEACTIVATED = "deactivated"
    STATE = "state"  # the state is unknown to this browser: altered, replayed or stale
    CODE = "code"  # the provider refused the code: expired or already used
    TOKEN = "token"  # the ID token failed a check: signature, audience, issuer, nonce, expiry
    CLAIMS = "claims"  # the claims do not name one person
    PROVIDER = "provider"  # the provider answered with an error (e.g. access_denied)
    UNREACHABLE = "unreachable"


class SignInFailed(Exception):
    """A single sign-on refused; `failure` says which page explains it."""

    def __init__(self, failure: Failure, detail: str = "", claims: Mapping | None = None):
        super().__init__(f"{failure}: {detail}" if detail else str(failure))
        self.failure = failure
        self.detail = detail
        self.claims = dict(claims or {})


def provider_endpoint(name: str) -> str:
    """The provider's endpoint `name` (as its discovery document names it): the one set in the
    environment, else the one `OIDC_ISSUER/.well-known/openid-configuration` announces."""
    explicit = getattr(settings, ENDPOINT_SETTINGS[name], "")
    if explicit:
        return explicit
    endpoint = provider_configuration().get(name)
    if not isinstance(endpoint, str) or not endpoint:
        raise SignInFailed(Failure.UNREACHABLE, f"the provider announces no {name}")
    return endpoint


def provider_configuration() -> dict[str, Any]:
    """The issuer's discovery document, fetched when first needed and kept for an hour; its
    `issuer` must be OIDC_ISSUER exactly (OpenID Connect Discovery 1.0, section 4.3)."""
    issuer = settings.OIDC_ISSUER
    key = f"directory:oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        try:
            response = requests.get(
                f"{issuer}/.well-known/openid-configuration",
                timeout=settings.OIDC_TIMEOUT,
                verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            )
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            raise SignInFailed(Failure.UNREACHABLE, f"discovery failed: {error}") from error
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            raise SignInFailed(Failure.UNREACHABLE, "the discovery document names another issuer")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, with endpoints resolved lazily, the ID token's audience and
    issuer verified (the library leaves them unchecked), the userinfo claims tied to the ID
    token's subject, and people matched by `person_sign_in`. It only answers the callback view
    (which passes a nonce); it never checks a password."""

    def __init__(self, *args, **kwargs):
        # Django builds the backend for every request of a person it signed in: no endpoint (and
        # so no discovery) is read here.
        self.UserModel = get_user_model()

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_RP_IDP_SIGN_KEY = property(lambda self: getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None))
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: provider_endpoint("token_endpoint"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: provider_endpoint("userinfo_endpoint"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: provider_endpoint("jwks_uri"))

    def get_user(self, user_id):
        # Django's check, which the library's own get_user skips: a person deactivated since
        # they signed in is signed out at their next request.
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or not settings.SINGLE_SIGN_ON:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.HTTPError as error:
            raise SignInFailed(Failure.PROVIDER, str(error)) from error
        except requests.RequestException as error:
            raise SignInFailed(Failure.UNREACHABLE, str(error)) from error

    def raise_token_response_error(self, response):
        if response.status_code == 200:
            return
        try:
            error = response.json().get("error", "")
        except ValueError:
            error = ""
        # RFC 6749, 5.2: an expired, used or foreign code is `invalid_grant`.
        failure = Failure.CODE if error == "invalid_grant" else Failure.PROVIDER
        raise SignInFailed(failure, f"token endpoint answered {response.status_code} {error}")

    def verify_token(self, token, **kwargs):
        try:
            return super().verify_token(token, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError) as error:
            raise SignInFailed(Failure.TOKEN, str(error)) from error

    def _verify_jws(self, payload, key):
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SignInFailed(Failure.TOKEN, f"signed with {algorithm!r}")
        claims = jwt.decode(
            payload,
            key,
            algorithms=[algorithm],
            audience=settings.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_ISSUER,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        # OpenID Connect Core 3.1.3.7: with several audiences, we must be the authorized party.
        if len(audiences) > 1 and claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SignInFailed(Failure.TOKEN, "issued to another authorized party")
        return claims

    def store_tokens(self, access_token, id_token):
        # Only the ID token is kept, for signing out at the provider (directory.sign_out); the
        # callback puts it in the session once the person is signed in.
        self.request.single_sign_on_id_token = id_token

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        # OpenID Connect Core 5.3.2: userinfo about another subject must not be used.
        if userinfo.get("sub") != payload.get("sub"):
            raise SignInFailed(Failure.TOKEN, "the userinfo names another subject")
        claims = {**payload, **userinfo}
        user, language = person_sign_in(claims=claims)
        self.request.single_sign_on_language = language
        return user


def language_from_locale(locale: object) -> str | None:
    """Accord's language for a `locale` claim (BCP 47 or POSIX style): Simplified Chinese for
    zh, zh-CN, zh-SG and zh-Hans…, English for any English; None for anything else."""
    if not isinstance(locale, str):
        return None
    tag = locale.strip().replace("_", "-").lower()
    if tag in ("zh", "zh-cn", "zh-sg") or tag.startswith("zh-hans"):
        return "zh-hans"
    if tag == "en" or tag.startswith("en-"):
        return "en"
    return None


def claim(claims: Mapping, setting: str) -> str:
    """The claim named by `setting`, stripped; "" when absent or not text."""
    value = claims.get(getattr(settings, setting), "")
    return value.strip() if isinstance(value, str) else ""


def matching_person(claims: Mapping) -> AbstractBaseUser | None:
    """The one person the claims name: by the username claim, then, when OIDC_MATCH_EMAIL is on,
    by an e-mail address the provider has not marked unverified. Several matches refuse."""
    users = get_user_model().objects
    username = claim(claims, "OIDC_USERNAME_CLAIM")
    if not username:
        raise SignInFailed(Failure.CLAIMS, "no username claim", claims)
    found = list(users.filter(username__iexact=username)[:2])
    email = claim(claims, "OIDC_EMAIL_CLAIM")
    trusted_email = email and claims.get("email_verified") is not False
    if not found and settings.OIDC_MATCH_EMAIL and trusted_email:
        found = list(users.filter(email__iexact=email)[:2])
    if len(found) > 1:
        raise SignInFailed(Failure.CLAIMS, "the claims match several people", claims)
    return found[0] if found else None


@transaction.atomic
def person_sign_in(*, claims: Mapping) -> tuple[AbstractBaseUser, str | None]:
    """The person the provider's `claims` name, their name, e-mail and language updated from
    them (with the language the claims gave, if any); someone unknown is created only when
    OIDC_CREATE_USER is on. Raises SignInFailed when nobody (active) can be signed in."""
    user = matching_person(claims)
    if user is None:
        if not settings.OIDC_CREATE_USER:
            raise SignInFailed(Failure.NOT_IN_DIRECTORY, claims=claims)
        user = get_user_model()(username=claim(claims, "OIDC_USERNAME_CLAIM")[:150])
        user.set_unusable_password()
    elif not user.is_active:
        raise SignInFailed(Failure.DEACTIVATED, claims=claims)
    changed = []
    for field, setting in (
        ("first_name", "OIDC_GIVEN_NAME_CLAIM"),
        ("last_name", "OIDC_FAMILY_NAME_CLAIM"),
        ("email", "OIDC_EMAIL_CLAIM"),
    ):
        value = claim(claims, setting)[: user._meta.get_field(field).max_length]
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if user.pk is None:
        user.save()
    elif changed:
        user.save(update_fields=changed)
    language = language_from_locale(claims.get(settings.OIDC_LOCALE_CLAIM))
    if language:
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    return user, language
