"""One's own API token page: create, see, replace and delete it, each change confirmed by a POST
and recorded in the admin's history of the person; nobody sees or changes another's token; single
sign-on people get one too; the API's own token endpoint keeps working."""

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from directory.api_tokens import api_token_create, fingerprint
from directory.leavers import deactivate_person
from directory.oidc import BACKEND as SINGLE_SIGN_ON_BACKEND
from tests.factories import UserFactory
from tests.support.clock import at

PAGE = "/accounts/api-token/"
CREATE = "/accounts/api-token/create/"
REPLACE = "/accounts/api-token/replace/"
DELETE = "/accounts/api-token/delete/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_answer(key: str) -> int:
    """The status the REST API answers a client sending `key`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/departments/").status_code


def confirm(client: Client, url: str) -> object:
    """Open the confirmation page and submit its form as a browser would."""
    page = client.get(url).content.decode()
    seen = re.search(r'name="seen"(?: value="([0-9a-f]+)")?', page)
    assert seen, page
    return client.post(url, {"seen": seen.group(1) or ""})


def history_of(person) -> list[LogEntry]:
    user_type = ContentType.objects.get_for_model(person)
    return list(
        LogEntry.objects.filter(content_type=user_type, object_id=str(person.pk)).order_by("pk")
    )


def test_the_preferences_page_links_to_the_api_token_page(staff):
    page = signed_in(staff).get("/accounts/preferences/").content.decode()

    assert f'href="{PAGE}"' in page


def test_someone_without_a_token_is_offered_to_create_one(staff):
    response = signed_in(staff).get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "You have no API token." in page
    assert f'href="{CREATE}"' in page
    assert f'href="{REPLACE}"' not in page


def test_creating_asks_for_confirmation_by_a_post_form_first(staff):
    response = signed_in(staff).get(CREATE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Create an API token?" in page
    assert '<form method="post">' in page
    assert "csrfmiddlewaretoken" in page
    assert not Token.objects.filter(user=staff).exists()


def test_a_confirmed_creation_gives_a_token_the_api_accepts_and_the_page_shows(staff):
    client = signed_in(staff)

    response = confirm(client, CREATE)

    token = Token.objects.get(user=staff)
    assert response.status_code == 302
    assert response["Location"] == PAGE
    page = client.get(PAGE).content.decode()
    assert token.key in page
    assert "Your API token is created." in page
    assert api_answer(token.key) == 200


def test_replacing_stops_the_old_token_at_once(staff):
    old = Token.objects.create(user=staff).key
    client = signed_in(staff)

    response = confirm(client, REPLACE)

    new = Token.objects.get(user=staff).key
    assert response.status_code == 302
    assert new != old
    assert api_answer(old) == 401
    assert api_answer(new) == 200
    page = client.get(PAGE).content.decode()
    assert new in page and old not in page


def test_deleting_ends_the_token(staff):
    old = Token.objects.create(user=staff).key
    client = signed_in(staff)

    response = confirm(client, DELETE)

    assert response.status_code == 302
    assert not Token.objects.filter(user=staff).exists()
    assert api_answer(old) == 401
    assert "You have no API token." in client.get(PAGE).content.decode()


def test_each_change_is_recorded_with_who_and_when(staff, clock_at):
    client = signed_in(staff)

    clock_at(at(23, 9))
    confirm(client, CREATE)
    clock_at(at(23, 10))
    confirm(client, REPLACE)
    clock_at(at(23, 11))
    confirm(client, DELETE)

    entries = history_of(staff)
    assert [entry.user for entry in entries] == [staff, staff, staff]
    assert [entry.action_time for entry in entries] == [at(23, 9), at(23, 10), at(23, 11)]
    assert [entry.get_change_message() for entry in entries] == [
        "Added API token “staff”.",
        "Changed key for API token “staff”.",
        "Deleted API token “staff”.",
    ]


def test_the_record_reads_in_chinese_in_the_admin(client, staff, admin_user):
    api_token_create(user=staff, seen="")
    client.force_login(admin_user)

    response = client.get(
        f"/admin/auth/user/{staff.pk}/history/", headers={"accept-language": "zh-hans"}
    )

    assert "API 令牌" in response.content.decode()


def test_a_change_needs_a_post_with_its_csrf_token(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(CREATE, {"seen": ""})

    assert response.status_code == 403
    assert not Token.objects.filter(user=staff).exists()
    assert not history_of(staff)


def test_a_change_made_meanwhile_in_another_tab_is_a_conflict(staff):
    Token.objects.create(user=staff)
    first_tab, second_tab = signed_in(staff), signed_in(staff)
    seen = fingerprint(Token.objects.get(user=staff))
    confirm(first_tab, REPLACE)
    replaced = Token.objects.get(user=staff).key

    response = second_tab.post(REPLACE, {"seen": seen})

    assert response.status_code == 409
    assert "changed since you opened this page" in response.content.decode()
    assert Token.objects.get(user=staff).key == replaced


def test_creating_when_a_token_appeared_meanwhile_is_a_conflict(staff):
    client = signed_in(staff)
    APIClient().post("/api/auth/token/", {"username": "staff", "password": "demo"})

    response = client.post(CREATE, {"seen": ""})

    assert response.status_code == 409
    assert len(history_of(staff)) == 1  # the endpoint's token, not the refused one


def test_a_malformed_confirmation_is_refused(staff):
    Token.objects.create(user=staff)
    client = signed_in(staff)

    response = client.post(REPLACE, {"seen": "<script>"})

    assert response.status_code == 400
    assert "This confirmation is not valid" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_an_unknown_change_is_not_found(staff):
    assert signed_in(staff).get("/accounts/api-token/steal/").status_code == 404


def test_confirming_a_change_that_does_not_apply_goes_back_to_the_page(staff):
    client = signed_in(staff)

    assert client.get(REPLACE)["Location"] == PAGE
    assert client.get(DELETE)["Location"] == PAGE
    Token.objects.create(user=staff)
    assert client.get(CREATE)["Location"] == PAGE


def test_a_person_only_ever_sees_and_changes_their_own_token(staff, agent):
    theirs = Token.objects.create(user=agent).key
    client = signed_in(staff)

    page = client.get(PAGE).content.decode()
    confirm(client, CREATE)
    confirm(client, REPLACE)
    confirm(client, DELETE)

    assert theirs not in page
    assert Token.objects.get(user=agent).key == theirs
    assert not history_of(agent)


def test_the_page_is_for_signed_in_people_only(client, db):
    for url in (PAGE, CREATE, REPLACE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert client.post(CREATE, {"seen": ""}).status_code == 302
    assert not Token.objects.exists()


def test_someone_who_signs_in_through_single_sign_on_gets_a_token(settings, db):
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, SINGLE_SIGN_ON_BACKEND]
    person = UserFactory(username="wang.fang")
    person.set_unusable_password()
    person.save()
    client = Client()
    client.force_login(person, backend=SINGLE_SIGN_ON_BACKEND)

    response = confirm(client, CREATE)

    assert response.status_code == 302
    assert api_answer(Token.objects.get(user=person).key) == 200


def test_an_inactive_person_has_no_token_and_cannot_make_one(staff):
    Token.objects.create(user=staff)
    client = signed_in(staff)

    deactivate_person(user=staff, reason="Left")

    assert not Token.objects.filter(user=staff).exists()
    assert client.get(PAGE).status_code == 302  # signed out
    staff.refresh_from_db()
    with pytest.raises(PermissionDenied):
        api_token_create(user=staff, seen="")
    assert not Token.objects.filter(user=staff).exists()


def test_the_token_endpoint_still_gives_the_same_token_the_page_shows(staff):
    token = api_token_create(user=staff, seen="")

    response = APIClient().post("/api/auth/token/", {"username": "staff", "password": "demo"})

    assert response.status_code == 200
    assert response.json()["token"] == token.key


def test_a_token_made_by_the_token_endpoint_is_recorded_and_one_returned_is_not(staff, clock_at):
    clock_at(at(23, 9))
    made = APIClient().post("/api/auth/token/", {"username": "staff", "password": "demo"})
    clock_at(at(23, 10))
    returned = APIClient().post("/api/auth/token/", {"username": "staff", "password": "demo"})

    assert made.json()["token"] == returned.json()["token"] == Token.objects.get(user=staff).key
    [entry] = history_of(staff)
    assert (entry.user, entry.action_time) == (staff, at(23, 9))
    assert entry.get_change_message() == "Added API token “staff”."


def test_wrong_credentials_at_the_token_endpoint_make_and_record_nothing(staff):
    response = APIClient().post("/api/auth/token/", {"username": "staff", "password": "nope"})

    assert response.status_code == 400
    assert not Token.objects.filter(user=staff).exists() and history_of(staff) == []


def test_the_page_speaks_chinese(staff):
    Token.objects.create(user=staff)
    client = signed_in(staff)
    chinese = {"headers": {"accept-language": "zh-hans"}}

    page = client.get(PAGE, **chinese).content.decode()
    confirmation = client.get(REPLACE, **chinese).content.decode()

    assert "您的令牌" in page and "更换令牌" in page
    assert "要更换您的 API 令牌吗？" in confirmation
