"""OpenID Connect sign-in: the claims and how they fill a person, and the whole flow through
Django's test client against the real provider of tests/support/oidc_provider."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model

from departments.models import Profile
from directory.oidc import (
    BACKEND,
    Failure,
    SignInFailed,
    language_from_locale,
    person_sign_in,
)
from tests.factories import UserFactory
from tests.support.oidc import provider_sign_in

ROOT = Path(__file__).resolve().parents[2]
START = "/sign-in/oidc/start/"
CALLBACK = "/sign-in/oidc/callback/"


def claims_for(username="wang.fang", **extra):
    return {
        "sub": "17",
        "preferred_username": username,
        "given_name": "Fang",
        "family_name": "Wang",
        "email": "wang.fang@contoso.example",
        "locale": "zh-CN",
        **extra,
    }


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("zh-CN", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("zh", "zh-hans"),
        ("zh_CN", "zh-hans"),
        ("zh-Hans-CN", "zh-hans"),
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("de-DE", None),
        ("zh-TW", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_a_locale_claim_maps_to_accords_languages_or_is_ignored(locale, language):
    assert language_from_locale(locale) == language


def test_claims_fill_name_email_and_language_of_a_known_person(db):
    person = UserFactory(username="wang.fang", first_name="", last_name="", email="")

    user, language = person_sign_in(claims=claims_for())

    person.refresh_from_db()
    assert user == person
    assert (person.first_name, person.last_name) == ("Fang", "Wang")
    assert person.email == "wang.fang@contoso.example"
    assert language == "zh-hans"
    assert Profile.objects.get(user=person).language == "zh-hans"


def test_claims_replace_what_changed_since_the_last_sign_in(db):
    person = UserFactory(username="wang.fang", first_name="Fang", last_name="Wang")
    Profile.objects.create(user=person, language="zh-hans")

    person_sign_in(claims=claims_for(family_name="Wang-Li", locale="en-US"))

    person.refresh_from_db()
    assert person.last_name == "Wang-Li"
    assert Profile.objects.get(user=person).language == "en"


def test_a_locale_accord_does_not_speak_leaves_the_language_as_it_was(db):
    person = UserFactory(username="wang.fang")
    Profile.objects.create(user=person, language="zh-hans")

    _, language = person_sign_in(claims=claims_for(locale="fr-FR"))

    assert language is None
    assert Profile.objects.get(user=person).language == "zh-hans"


def test_the_username_claim_matches_regardless_of_case(db):
    person = UserFactory(username="wang.fang")

    user, _ = person_sign_in(claims=claims_for(username="Wang.Fang"))

    assert user == person


def test_claim_names_come_from_the_settings(db, settings):
    settings.OIDC_USERNAME_CLAIM = "upn"
    settings.OIDC_GIVEN_NAME_CLAIM = "first"
    settings.OIDC_LOCALE_CLAIM = "lang"
    person = UserFactory(username="wfang")

    user, language = person_sign_in(claims={"sub": "1", "upn": "wfang", "first": "F", "lang": "zh"})

    assert user == person
    assert user.first_name == "F"
    assert language == "zh-hans"


def test_a_deactivated_person_is_refused(db):
    UserFactory(username="wang.fang", is_active=False, first_name="Old")

    with pytest.raises(SignInFailed) as refused:
        person_sign_in(claims=claims_for())

    assert refused.value.failure is Failure.DEACTIVATED
    assert get_user_model().objects.get(username="wang.fang").first_name == "Old"


def test_someone_unknown_is_refused_and_no_account_is_made(db):
    with pytest.raises(SignInFailed) as refused:
        person_sign_in(claims=claims_for(username="newcomer"))

    assert refused.value.failure is Failure.NOT_IN_DIRECTORY
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert not Profile.objects.exists()


def test_someone_unknown_gets_an_account_without_password_when_creation_is_on(db, settings):
    settings.OIDC_CREATE_USER = True

    user, _ = person_sign_in(claims=claims_for(username="newcomer"))

    assert user.username == "newcomer"
    assert user.email == "wang.fang@contoso.example"
    assert not user.has_usable_password()
    assert Profile.objects.get(user=user).language == "zh-hans"


def test_claims_without_a_username_are_refused(db):
    with pytest.raises(SignInFailed) as refused:
        person_sign_in(claims={"sub": "1", "email": "x@contoso.example"})

    assert refused.value.failure is Failure.CLAIMS


def test_the_email_matches_only_when_configured(db, settings):
    person = UserFactory(username="lli", email="li.lei@contoso.example")
    claims = claims_for(username="lei.li", email="li.lei@contoso.example")

    with pytest.raises(SignInFailed):
        person_sign_in(claims=claims)
    settings.OIDC_MATCH_EMAIL = True
    user, _ = person_sign_in(claims=claims)

    assert user == person


def test_an_email_the_provider_marks_unverified_never_matches(db, settings):
    settings.OIDC_MATCH_EMAIL = True
    UserFactory(username="lli", email="li.lei@contoso.example")

    with pytest.raises(SignInFailed) as refused:
        person_sign_in(
            claims=claims_for(
                username="lei.li", email="li.lei@contoso.example", email_verified=False
            )
        )

    assert refused.value.failure is Failure.NOT_IN_DIRECTORY


def test_a_person_deactivated_after_signing_in_is_signed_out_at_the_next_request(
    client, db, settings
):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    person = UserFactory(username="wang.fang")
    client.force_login(person, backend=BACKEND)
    assert client.get("/").status_code == 200

    get_user_model().objects.filter(pk=person.pk).update(is_active=False)

    assert client.get("/").status_code == 302


def test_the_sign_in_pages_are_not_found_while_single_sign_on_is_off(client, db):
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


# The whole flow against the real provider.


def authorize_url(client, **parameters) -> str:
    response = client.get(START, parameters)
    assert response.status_code == 302
    return response["Location"]


def sign_in(client, username: str) -> object:
    """Start at Accord, sign in at the provider, come back to Accord's callback."""
    callback = provider_sign_in(authorize_url(client), username)
    assert callback.startswith(f"http://testserver{CALLBACK}"), callback
    parts = urlsplit(callback)
    return client.get(f"{parts.path}?{parts.query}")


@pytest.mark.slow
def test_the_start_sends_a_state_a_nonce_and_a_pkce_challenge(client, db, single_sign_on):
    url = authorize_url(client)

    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{single_sign_on}/authorize/")
    assert query["client_id"] == ["accord"]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert query["state"] and query["nonce"]


@pytest.mark.slow
def test_a_known_person_is_signed_in_and_filled_from_the_claims(client, db, single_sign_on):
    person = UserFactory(username="wang.fang", first_name="", last_name="", email="")

    response = sign_in(client, "wang.fang")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(person.pk)
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.email) == (
        "Fang",
        "Wang",
        "wang.fang@contoso.example",
    )
    assert Profile.objects.get(user=person).language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"


@pytest.mark.slow
def test_the_person_lands_on_the_page_they_asked_for(client, db, single_sign_on):
    UserFactory(username="wang.fang")

    callback = provider_sign_in(authorize_url(client, next="/requests/"), "wang.fang")
    parts = urlsplit(callback)
    response = client.get(f"{parts.path}?{parts.query}")

    assert response["Location"] == "/requests/"


@pytest.mark.slow
def test_a_person_matched_by_email_is_signed_in_when_configured(
    client, db, single_sign_on, settings
):
    settings.OIDC_MATCH_EMAIL = True
    person = UserFactory(username="lli", email="li.lei@contoso.example")

    response = sign_in(client, "lei.li")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(person.pk)
    assert Profile.objects.get(user=person).language == "en"


@pytest.mark.slow
def test_a_deactivated_person_gets_a_clear_page(client, db, single_sign_on):
    UserFactory(username="leaver", is_active=False)

    response = sign_in(client, "leaver")

    assert response.status_code == 403
    assert "Your Accord account is deactivated" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.slow
def test_someone_unknown_gets_the_not_in_directory_page_and_no_account(
    client, db, single_sign_on, settings
):
    settings.DIRECTORY_CONTACT = "the IT service desk (it@contoso.example)"

    response = sign_in(client, "newcomer")

    page = response.content.decode()
    assert response.status_code == 403
    assert "You are not in Accord's directory yet" in page
    assert "newcomer@contoso.example" in page
    assert "the IT service desk (it@contoso.example)" in page
    assert not get_user_model().objects.filter(username="newcomer").exists()
    assert SESSION_KEY not in client.session


@pytest.mark.slow
def test_a_tampered_state_is_refused_with_a_clear_page(client, db, single_sign_on):
    UserFactory(username="wang.fang")
    callback = provider_sign_in(authorize_url(client), "wang.fang")
    query = parse_qs(urlsplit(callback).query)

    response = client.get(CALLBACK, {"code": query["code"][0], "state": "forged-state"})

    assert response.status_code == 400
    assert "was changed on its way back to Accord" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.slow
def test_a_code_already_used_is_refused_with_a_clear_page(client, db, single_sign_on):
    UserFactory(username="wang.fang")
    first = parse_qs(urlsplit(provider_sign_in(authorize_url(client), "wang.fang")).query)
    client.get(CALLBACK, {"code": first["code"][0], "state": first["state"][0]})
    client.logout()
    second = parse_qs(urlsplit(provider_sign_in(authorize_url(client), "wang.fang")).query)

    response = client.get(CALLBACK, {"code": first["code"][0], "state": second["state"][0]})

    assert response.status_code == 400
    assert "expired or was already used" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.slow
def test_an_id_token_issued_for_another_client_is_refused(client, db, single_sign_on, settings):
    settings.OIDC_RP_CLIENT_ID = "accord-misissued"
    UserFactory(username="wang.fang")

    response = sign_in(client, "wang.fang")

    assert response.status_code == 400
    assert "it was not issued for Accord" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.slow
def test_a_provider_error_lands_on_a_clear_page(client, db, single_sign_on):
    url = authorize_url(client)
    state = parse_qs(urlsplit(url).query)["state"][0]

    response = client.get(CALLBACK, {"error": "access_denied", "state": state})

    assert response.status_code == 400
    assert "did not sign you in" in response.content.decode()
    # The state is spent: the same state with a code is refused too.
    retried = client.get(CALLBACK, {"code": "abc", "state": state})
    assert "was changed on its way back" in retried.content.decode()


def test_an_unreachable_provider_lands_on_a_clear_page(client, db, settings):
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_TIMEOUT = 2

    response = client.get(START)

    assert response.status_code == 502
    assert "could not reach the sign-in provider" in response.content.decode()


def test_a_callback_without_a_started_sign_in_is_refused(client, db, settings):
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = "http://127.0.0.1:9/nowhere"
    settings.OIDC_RP_CLIENT_ID = "accord"

    response = client.get(f"{CALLBACK}?{urlencode({'code': 'c', 'state': 's'})}")

    assert response.status_code == 400
    assert "Nothing was signed in" in response.content.decode()


SETTINGS_PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps([settings.SINGLE_SIGN_ON, settings.AUTHENTICATION_BACKENDS[-1]]))
"""


def settings_with(**variables: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **variables)
    return subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=environment, capture_output=True
    )


@pytest.mark.slow
def test_single_sign_on_is_on_only_when_configured_and_then_needs_issuer_and_client():
    off = settings_with()
    on = settings_with(OIDC_ISSUER="https://id.contoso.example", OIDC_CLIENT_ID="accord")
    half = settings_with(OIDC_ISSUER="https://id.contoso.example")

    assert json.loads(off.stdout.splitlines()[-1])[0] is False
    assert json.loads(on.stdout.splitlines()[-1]) == [True, "directory.oidc.SingleSignOnBackend"]
    assert half.returncode != 0
    assert b"Single sign-on needs both OIDC_ISSUER and OIDC_CLIENT_ID" in half.stderr
