import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse


def log_in(client, username, password="demo"):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_pages_cannot_be_framed(client, db):
    assert client.get(reverse("login"))["X-Frame-Options"] == "DENY"


def test_logging_in_rotates_the_session_key(client, staff):
    client.get(reverse("login"))
    client.session.save()
    anonymous_key = client.session.session_key

    response = log_in(client, "staff")

    assert response.status_code == 302
    assert client.session.session_key != anonymous_key
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_a_wrong_password_shows_a_form_error(client, staff):
    response = log_in(client, "staff", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_logging_out_ends_the_session_on_the_server(client, staff):
    log_in(client, "staff")
    session_key = client.session.session_key

    client.post(reverse("logout"))

    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("home")).status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, staff):
    log_in(client, "staff")
    assert client.get(reverse("home")).status_code == 200

    staff.is_active = False
    staff.save()

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_login_is_locked_after_repeated_failures_for_that_user_and_address(client, staff, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "staff", "wrong")

    response = log_in(client, "staff")

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_failures_for_one_user_do_not_lock_out_another(client, staff, agent, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "staff", "wrong")

    response = log_in(client, "agent")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(agent.pk)


def test_password_change_requires_the_old_password(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "demo",
            "new_password1": "a-Long-new-pass-42",
            "new_password2": "a-Long-new-pass-42",
        },
    )

    assert response.status_code == 302
    staff.refresh_from_db()
    assert staff.check_password("a-Long-new-pass-42")
