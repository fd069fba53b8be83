"""The sign-in pages: the login page (single sign-on and passwords, as configured), the start
and the callback of an OpenID Connect sign-in, and the page that says why one failed. All are
open to people who are not signed in."""

import logging

from django import forms
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from directory.oidc import Failure, SignInFailed, claim, provider_endpoint
from directory.passwords import passwords_only_for_break_glass
from directory.sign_out import remember_id_token

logger = logging.getLogger(__name__)

FAILURE_MESSAGES = {
    Failure.STATE: _(
        "This sign-in was not started from this browser, was already used, or was changed on "
        "its way back to Accord. Nothing was signed in; please start again."
    ),
    Failure.CODE: _(
        "The sign-in provider refused the sign-in code: it expired or was already used. "
        "Please start again."
    ),
    Failure.TOKEN: _(
        "The identity token from the sign-in provider failed Accord's checks (it was not issued "
        "for Accord, or its signature or validity is wrong). Nobody was signed in."
    ),
    Failure.CLAIMS: _(
        "The sign-in provider did not say who you are in a way Accord can match to one person. "
        "Please ask your Accord administrator."
    ),
    Failure.PROVIDER: _("The sign-in provider did not sign you in. Please start again."),
    Failure.UNREACHABLE: _("Accord could not reach the sign-in provider. Please try again later."),
}
FAILURE_STATUS = {
    Failure.NOT_IN_DIRECTORY: 403,
    Failure.DEACTIVATED: 403,
    Failure.UNREACHABLE: 502,
}


def provider_name() -> str:
    """How the login page names the company's sign-in: "Sign in with <this>"."""
    return settings.OIDC_PROVIDER_NAME or str(_("your company account"))


class LoginView(auth_views.LoginView):
    """Django's login page, offering single sign-on when it is on; with passwords off, the
    password form stays only for the break-glass administrators."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["single_sign_on"] = settings.SINGLE_SIGN_ON
        context["provider_name"] = provider_name()
        context["break_glass_only"] = passwords_only_for_break_glass()
        return context


def single_sign_on_failed(request: HttpRequest, failed: SignInFailed) -> HttpResponse:
    """The page that says why a sign-in failed, and what to do."""
    logger.warning("Single sign-on failed (%s): %s", failed.failure, failed.detail or "-")
    if failed.failure is Failure.NOT_IN_DIRECTORY:
        template = "directory/not_in_directory.html"
    elif failed.failure is Failure.DEACTIVATED:
        template = "directory/deactivated.html"
    else:
        template = "directory/sign_in_failed.html"
    context = {
        "message": FAILURE_MESSAGES.get(failed.failure, ""),
        "username": claim(failed.claims, "OIDC_USERNAME_CLAIM"),
        "email": claim(failed.claims, "OIDC_EMAIL_CLAIM"),
        "contact": settings.DIRECTORY_CONTACT,
        "provider_name": provider_name(),
    }
    return render(request, template, context, status=FAILURE_STATUS.get(failed.failure, 400))


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with a state, a nonce and a PKCE challenge (S256)."""

    def __init__(self, **kwargs):
        # The library reads the endpoint here; ours may need discovery, done in `get`.
        View.__init__(self, **kwargs)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.SINGLE_SIGN_ON:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_endpoint("authorization_endpoint")
        except SignInFailed as failed:
            return single_sign_on_failed(request, failed)
        return super().get(request)


class CallbackForm(forms.Form):
    """What the provider sends back (OAuth 2.0, 4.1.2 and 4.1.2.1)."""

    code = forms.CharField(required=False, max_length=2048)
    state = forms.CharField(required=False, max_length=256)
    error = forms.CharField(required=False, max_length=256)


@method_decorator(login_not_required, name="dispatch")
class SingleSignOnCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the state must be one this browser started,
    the code is exchanged (with the PKCE verifier) and the person signed in; any failure is a
    page that says what happened, never an error."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.SINGLE_SIGN_ON:
            raise Http404
        try:
            return self.sign_in(request)
        except SignInFailed as failed:
            return single_sign_on_failed(request, failed)

    def sign_in(self, request: HttpRequest) -> HttpResponse:
        form = CallbackForm(request.GET)
        if not form.is_valid():
            raise SignInFailed(Failure.STATE, "malformed callback")
        state = form.cleaned_data["state"]
        flows = request.session.get("oidc_states")
        flow = flows.pop(state, None) if isinstance(flows, dict) and state else None
        if flow is not None:
            # Used once: a replayed or second callback with this state finds nothing.
            request.session.modified = True
            request.session.save()
        if form.cleaned_data["error"]:
            if request.user.is_authenticated:
                auth.logout(request)
            raise SignInFailed(Failure.PROVIDER, form.cleaned_data["error"])
        if flow is None or not form.cleaned_data["code"]:
            raise SignInFailed(Failure.STATE, "unknown state")
        # As the library does: reload the session after the slow exchange with the provider, so
        # that a parallel tab's changes to it are not overwritten.
        request.session = request.session.__class__(request.session.session_key)
        self.user = auth.authenticate(
            request=request, nonce=flow.get("nonce"), code_verifier=flow.get("code_verifier")
        )
        if self.user is None or not self.user.is_active:
            raise SignInFailed(Failure.PROVIDER, "no backend signed anyone in")
        response = self.login_success()
        id_token = getattr(request, "single_sign_on_id_token", None)
        if id_token:
            remember_id_token(request, id_token)
        language = getattr(request, "single_sign_on_language", None)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
