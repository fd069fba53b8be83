"""PASSWORD_LOGIN off: Accord's own passwords are refused everywhere (the login page, the admin's
login, the API's token) except to the break-glass administrators; django-axes still throttles."""

import pytest
from django.contrib.auth import SESSION_KEY

from tests.factories import UserFactory

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
TOKEN = "/api/auth/token/"


@pytest.fixture
def passwords_off(settings):
    settings.PASSWORD_LOGIN = False
    settings.BREAK_GLASS_USERNAMES = ["rescue"]


@pytest.fixture
def rescue(db):
    """The break-glass administrator."""
    return UserFactory(username="rescue", is_staff=True, is_superuser=True)


@pytest.fixture
def sso_settings(settings):
    """Single sign-on configured (no provider needed to show the login page)."""
    settings.SINGLE_SIGN_ON = True
    settings.OIDC_ISSUER = "https://id.contoso.example"
    settings.OIDC_RP_CLIENT_ID = "accord"
    settings.OIDC_PROVIDER_NAME = "Contoso"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "directory.oidc.SingleSignOnBackend",
    ]


def test_everyone_logs_in_with_a_password_by_default(client, staff):
    response = client.post(LOGIN, {"username": "staff", "password": "demo"})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_the_login_form_refuses_a_password_when_passwords_are_off(client, staff, passwords_off):
    response = client.post(LOGIN, {"username": "staff", "password": "demo"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_login_form_accepts_the_break_glass_administrator(client, rescue, passwords_off):
    response = client.post(LOGIN, {"username": "rescue", "password": "demo"})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(rescue.pk)


def test_the_admin_login_refuses_an_administrator_not_named_for_break_glass(
    client, admin_user, passwords_off
):
    response = client.post(ADMIN_LOGIN, {"username": "admin", "password": "demo"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_admin_login_accepts_the_break_glass_administrator(client, rescue, passwords_off):
    response = client.post(
        ADMIN_LOGIN, {"username": "rescue", "password": "demo", "next": "/admin/"}
    )

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(rescue.pk)


def test_the_api_token_is_refused_when_passwords_are_off(client, staff, passwords_off):
    response = client.post(TOKEN, {"username": "staff", "password": "demo"})

    assert response.status_code == 400
    assert "token" not in response.json()


def test_the_api_token_is_given_to_the_break_glass_administrator(client, rescue, passwords_off):
    response = client.post(TOKEN, {"username": "rescue", "password": "demo"})

    assert response.status_code == 200
    assert response.json()["token"]


def test_a_break_glass_name_that_is_not_staff_is_refused(client, db, passwords_off):
    UserFactory(username="rescue", is_staff=False)

    response = client.post(TOKEN, {"username": "rescue", "password": "demo"})

    assert response.status_code == 400


def test_the_break_glass_administrator_is_still_locked_out_after_failures(
    client, rescue, passwords_off, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, {"username": "rescue", "password": "wrong"})

    response = client.post(TOKEN, {"username": "rescue", "password": "demo"})

    assert response.status_code == 429


def test_refused_passwords_count_towards_the_lockout_too(client, staff, passwords_off, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "staff", "password": "demo"})

    response = client.post(LOGIN, {"username": "staff", "password": "demo"})

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_the_login_page_offers_single_sign_on_beside_the_password_form(client, db, sso_settings):
    page = client.get(LOGIN + "?next=/requests/").content.decode()

    assert 'href="/sign-in/oidc/start/?next=/requests/"' in page
    assert "Sign in with Contoso" in page
    assert "Or log in with your Accord password" in page
    assert "<details" not in page


def test_with_passwords_off_the_login_page_keeps_the_form_for_break_glass_only(
    client, db, sso_settings, passwords_off
):
    page = client.get(LOGIN).content.decode()

    assert "Sign in with Contoso" in page
    assert "<details>" in page
    assert "Administrator sign-in (break-glass)" in page


def test_without_single_sign_on_the_login_page_is_the_password_form(client, db):
    page = client.get(LOGIN).content.decode()

    assert "Sign in with" not in page
    assert 'name="password"' in page
