"""Signing out: after a single sign-on, on to the provider's end-session endpoint (RP-Initiated
Logout) with the ID token, Accord's login page and client id, against the real provider of
tests/support/oidc_provider; password sign-ins and providers without the endpoint sign out of
Accord only, as before."""

from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache

from directory.oidc import BACKEND
from directory.sign_out import ID_TOKEN_SESSION_KEY
from tests.factories import UserFactory
from tests.support.oidc import provider_sign_in

START = "/sign-in/oidc/start/"
LOGOUT = "/accounts/logout/"
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def fresh_discovery():
    """Each test reads the provider's discovery document afresh."""
    cache.clear()
    yield
    cache.clear()


def sign_in(client, username: str, browser: requests.Session) -> None:
    """Sign in at the provider in `browser` (which keeps its session there) and back."""
    authorize = client.get(START)["Location"]
    callback = urlsplit(provider_sign_in(authorize, username, browser=browser))
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 302, response.content


def signed_in_as_if_through_single_sign_on(client, settings, person, id_token="header.claims.sig"):
    """A session like the callback leaves (for tests that need no provider)."""
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    client.force_login(person, backend=BACKEND)
    session = client.session
    session[ID_TOKEN_SESSION_KEY] = id_token
    session.save()


@pytest.fixture
def sso_without_provider(settings):
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = "https://id.contoso.example"
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.SITE_URL = "https://accord.contoso.example/"


@pytest.mark.slow
def test_the_sign_in_keeps_the_id_token_for_signing_out(client, db, single_sign_on):
    UserFactory(username="wang.fang")

    sign_in(client, "wang.fang", requests.Session())

    claims = jwt.decode(client.session[ID_TOKEN_SESSION_KEY], options={"verify_signature": False})
    assert claims["aud"] == "accord"
    assert claims["iss"] == single_sign_on


@pytest.mark.slow
def test_signing_out_after_single_sign_on_goes_on_to_the_providers_end_session_endpoint(
    client, db, single_sign_on, settings
):
    settings.SITE_URL = "http://testserver"
    UserFactory(username="wang.fang")
    browser = requests.Session()
    sign_in(client, "wang.fang", browser)
    id_token = client.session[ID_TOKEN_SESSION_KEY]

    response = client.post(LOGOUT)

    assert SESSION_KEY not in client.session
    location = urlsplit(response["Location"])
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{single_sign_on}/logout/"
    assert parse_qs(location.query) == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://testserver/accounts/login/"],
        "client_id": ["accord"],
    }
    # The provider signs the person out and sends the browser back to Accord's login page.
    back = browser.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    assert back.headers["Location"] == "http://testserver/accounts/login/"
    # Signed out there too: a new sign-in asks for the password again.
    again = browser.get(client.get(START)["Location"], allow_redirects=False, timeout=10)
    assert again.status_code == 302
    assert again.headers["Location"].startswith("/accounts/login/?next=/o/authorize/")


@pytest.mark.slow
def test_without_signing_out_the_provider_signs_straight_back_in(client, db, single_sign_on):
    # The contrast of the test above: the provider's session outlives Accord's alone.
    UserFactory(username="wang.fang")
    browser = requests.Session()
    sign_in(client, "wang.fang", browser)
    client.logout()

    again = browser.get(client.get(START)["Location"], allow_redirects=False, timeout=10)

    assert again.headers["Location"].startswith("http://testserver/sign-in/oidc/callback/")


def test_a_configured_end_session_endpoint_is_used_with_its_own_query(
    client, staff, settings, sso_without_provider
):
    settings.OIDC_END_SESSION_ENDPOINT = "https://logout.contoso.example/end?tenant=staff"
    signed_in_as_if_through_single_sign_on(client, settings, staff)

    response = client.post(LOGOUT)

    location = urlsplit(response["Location"])
    assert (location.netloc, location.path) == ("logout.contoso.example", "/end")
    assert parse_qs(location.query) == {
        "tenant": ["staff"],
        "id_token_hint": ["header.claims.sig"],
        "post_logout_redirect_uri": ["https://accord.contoso.example/accounts/login/"],
        "client_id": ["accord"],
    }
    assert SESSION_KEY not in client.session


def test_a_provider_announcing_no_end_session_endpoint_signs_out_of_accord_only(
    client, staff, settings, sso_without_provider
):
    cache.set(f"directory:oidc-discovery:{settings.OIDC_ISSUER}", {"issuer": settings.OIDC_ISSUER})
    signed_in_as_if_through_single_sign_on(client, settings, staff)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_a_provider_out_of_reach_still_signs_out_of_accord(client, staff, settings):
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_TIMEOUT = 2
    signed_in_as_if_through_single_sign_on(client, settings, staff)

    response = client.post(LOGOUT)

    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_an_end_session_endpoint_on_another_host_is_used_only_when_configured(
    client, staff, settings, sso_without_provider
):
    issuer = settings.OIDC_ISSUER
    cache.set(
        f"directory:oidc-discovery:{issuer}",
        {"issuer": issuer, "end_session_endpoint": "https://elsewhere.example/logout"},
    )
    signed_in_as_if_through_single_sign_on(client, settings, staff)

    assert client.post(LOGOUT)["Location"] == LOGIN


def test_a_password_sign_in_signs_out_of_accord_only(client, staff, settings):
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = "https://id.contoso.example"
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_END_SESSION_ENDPOINT = "https://id.contoso.example/logout"
    client.post(LOGIN, {"username": "staff", "password": "demo"})

    response = client.post(LOGOUT)

    assert response["Location"] == LOGIN
    assert SESSION_KEY not in client.session


def test_signing_out_stays_a_post(client, staff, settings, sso_without_provider):
    settings.OIDC_END_SESSION_ENDPOINT = "https://id.contoso.example/logout"
    signed_in_as_if_through_single_sign_on(client, settings, staff)

    assert client.get(LOGOUT).status_code == 405
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_pages_let_the_sign_out_form_lead_on_to_the_provider(
    client, staff, settings, sso_without_provider
):
    settings.OIDC_END_SESSION_ENDPOINT = "https://logout.contoso.example/end"
    client.force_login(staff)

    policy = client.get("/")["Content-Security-Policy"]

    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert form_action.split() == [
        "form-action",
        "'self'",
        "https://id.contoso.example",
        "https://logout.contoso.example",
    ]


def test_without_single_sign_on_forms_lead_only_to_accord(client, staff):
    client.force_login(staff)

    policy = client.get("/")["Content-Security-Policy"]

    assert "form-action 'self';" in policy or policy.endswith("form-action 'self'")
