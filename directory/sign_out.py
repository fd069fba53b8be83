"""Signing out. After a single sign-on, signing out of Accord goes on to the provider's
end-session endpoint (OpenID Connect RP-Initiated Logout 1.0) with the ID token of that sign-in,
so that the company account is signed out too, and the provider sends the browser back to
Accord's login page. Password and LDAP sign-ins, and providers without such an endpoint, sign
out of Accord only."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from directory.oidc import BACKEND, SignInFailed, provider_endpoint

ID_TOKEN_SESSION_KEY = "oidc_id_token"

logger = logging.getLogger(__name__)


def remember_id_token(request: HttpRequest, id_token: str) -> None:
    """Keep the ID token of the single sign-on that signed `request`'s person in."""
    request.session[ID_TOKEN_SESSION_KEY] = id_token


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sign_out_origins() -> list[str]:
    """Where signing out may lead besides Accord: the issuer's origin and that of
    OIDC_END_SESSION_ENDPOINT. The site's Content Security Policy lets forms lead there too
    (config.middleware.SignOutFormActionMiddleware); browsers block any other."""
    if not settings.SINGLE_SIGN_ON:
        return []
    urls = (settings.OIDC_ISSUER, settings.OIDC_END_SESSION_ENDPOINT)
    return sorted({origin(url) for url in urls if url})


def end_session_endpoint() -> str | None:
    """The provider's end-session endpoint (OIDC_END_SESSION_ENDPOINT, else the one the
    discovery document announces), or None when there is none or the provider is out of reach."""
    try:
        endpoint = provider_endpoint("end_session_endpoint")
    except SignInFailed as failed:
        logger.info("Signing out of Accord only: %s", failed.detail)
        return None
    if origin(endpoint) not in sign_out_origins():
        logger.warning(
            "Signing out of Accord only: the end-session endpoint %s is on another host than the "
            "issuer; set OIDC_END_SESSION_ENDPOINT to use it",
            endpoint,
        )
        return None
    return endpoint


def provider_sign_out_url(request: HttpRequest) -> str | None:
    """Where the browser goes once `request`'s person is signed out of Accord: the provider's
    end-session endpoint, with the ID token of their sign-in, Accord's login page to come back to
    and Accord's client id; None when they did not sign in through single sign-on or the
    provider has no such endpoint."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    single_sign_on = request.session.get(BACKEND_SESSION_KEY) == BACKEND
    if not (settings.SINGLE_SIGN_ON and single_sign_on and isinstance(id_token, str) and id_token):
        return None
    endpoint = end_session_endpoint()
    if endpoint is None:
        return None
    parts = urlsplit(endpoint)
    query = [
        *parse_qsl(parts.query, keep_blank_values=True),
        ("id_token_hint", id_token),
        ("post_logout_redirect_uri", settings.SITE_URL.rstrip("/") + reverse("login")),
        ("client_id", settings.OIDC_RP_CLIENT_ID),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


class SignOutView(auth_views.LogoutView):
    """Django's sign-out (a POST); after a single sign-on it goes on to the provider's
    end-session endpoint when there is one."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # Read before signing out empties the session.
        provider = provider_sign_out_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider) if provider else response
