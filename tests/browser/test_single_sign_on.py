"""Single sign-on in Chromium against the real OpenID Connect provider (tests/support/oidc.py):
the authorization-code flow with PKCE end to end, signing out at the provider too, and what a
person sees when it goes wrong: a tampered state, a code already used, an ID token for another
client, someone unknown."""

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from departments.models import Profile
from tests.factories import UserFactory
from tests.support.oidc import PASSWORD

pytestmark = pytest.mark.slow


def start_sign_in(page: Page) -> None:
    page.goto(reverse("login"))
    page.get_by_role("link", name="Sign in with Contoso").click()


def sign_in_at_provider(page: Page, username: str) -> None:
    expect(page.get_by_role("heading", name="Contoso ID")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return parts._replace(query=urlencode({**query, **changes})).geturl()


def test_a_person_signs_in_with_the_company_account_and_the_claims_fill_their_profile(
    page, single_sign_on, screenshot
):
    person = UserFactory(username="wang.fang", first_name="", last_name="", email="")
    authorize_requests = []
    page.on(
        "request",
        lambda request: (
            authorize_requests.append(request.url)
            if request.url.startswith(f"{single_sign_on}/authorize/")
            else None
        ),
    )

    start_sign_in(page)
    sign_in_at_provider(page, "wang.fang")

    # Back on Accord, signed in, in the language the provider's claims gave.
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_text("Fang Wang")).to_be_visible()
    screenshot()
    query = parse_qs(urlsplit(authorize_requests[0]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Fang", "Wang")
    assert person.email == "wang.fang@contoso.example"
    assert Profile.objects.get(user=person).language == "zh-hans"


def authorize_query(page: Page) -> dict[str, str]:
    """At the provider's login page: the authorization request it will answer once signed in."""
    expect(page.get_by_role("heading", name="Contoso ID")).to_be_visible()
    authorize = parse_qs(urlsplit(page.url).query)["next"][0]
    return {key: values[0] for key, values in parse_qs(urlsplit(authorize).query).items()}


def test_a_tampered_state_shows_a_clear_page_and_signs_nobody_in(page, single_sign_on):
    UserFactory(username="lei.li")
    start_sign_in(page)
    login_page = page.url
    next_url = parse_qs(urlsplit(login_page).query)["next"][0]

    # The state is altered on its way to the provider, which sends it back as it received it.
    page.goto(with_query(login_page, next=with_query(next_url, state="forged-state")))
    sign_in_at_provider(page, "lei.li")

    expect(page).to_have_url(re.compile(r"/sign-in/oidc/callback/\?.*state=forged-state"))
    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible()
    expect(page.get_by_text("was changed on its way back to Accord")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_signing_out_signs_out_of_the_company_account_too(
    page, live_server, single_sign_on, settings, screenshot
):
    settings.SITE_URL = live_server.url
    UserFactory(username="lei.li")
    start_sign_in(page)
    sign_in_at_provider(page, "lei.li")
    ended = []
    page.on("request", lambda r: ended.append(r.url) if "/o/logout/" in r.url else None)

    page.get_by_role("button", name="Log out").click()

    # Back on Accord's login page by way of the provider's end-session endpoint.
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}")
    expect(page.get_by_role("link", name="Sign in with Contoso")).to_be_visible()
    screenshot()
    assert ended and ended[0].startswith(f"{single_sign_on}/logout/?id_token_hint=")
    # Signed out at the provider: signing in again asks for the password.
    start_sign_in(page)
    expect(page.get_by_role("heading", name="Contoso ID")).to_be_visible()


def test_a_code_already_used_shows_a_clear_page(page, live_server, single_sign_on, settings):
    settings.SITE_URL = live_server.url
    UserFactory(username="lei.li")
    callbacks = []
    page.on("request", lambda r: callbacks.append(r.url) if "/oidc/callback/" in r.url else None)
    start_sign_in(page)
    sign_in_at_provider(page, "lei.li")
    page.get_by_role("button", name="Log out").click()  # at the provider too
    expect(page).to_have_url(f"{live_server.url}{reverse('login')}")
    used_code = parse_qs(urlsplit(callbacks[0]).query)["code"][0]

    # A new sign-in: its state is valid, but the code brought back is the one already used.
    start_sign_in(page)
    state = authorize_query(page)["state"]
    page.goto(f"/sign-in/oidc/callback/?{urlencode({'code': used_code, 'state': state})}")

    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible()
    expect(page.get_by_text("it expired or was already used")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_an_id_token_issued_for_another_client_is_refused(page, single_sign_on, settings):
    settings.OIDC_RP_CLIENT_ID = "accord-misissued"
    UserFactory(username="lei.li")

    start_sign_in(page)
    sign_in_at_provider(page, "lei.li")

    expect(page.get_by_role("heading", name="Sign-in did not complete")).to_be_visible()
    expect(page.get_by_text("it was not issued for Accord")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


def test_someone_unknown_is_told_they_are_not_in_the_directory_and_gets_no_account(
    page, single_sign_on, screenshot
):
    start_sign_in(page)
    sign_in_at_provider(page, "newcomer")

    expect(
        page.get_by_role("heading", name="You are not in Accord's directory yet")
    ).to_be_visible()
    expect(page.get_by_text("newcomer@contoso.example")).to_be_visible()
    screenshot()
    assert not get_user_model().objects.filter(username="newcomer").exists()
