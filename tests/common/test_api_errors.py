"""Every error of the REST API is one JSON shape with `detail`, whatever raised it: a domain
error, invalid fields, missing credentials, an unknown address, a body too large or too deep."""

import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agreements.services import AgreementError, StaleAgreement
from common.api import exception_handler
from common.parsers import MAX_JSON_DEPTH
from tickets.services import StaleTicket, TicketError

# Every JSON endpoint parses its body the same way: the anonymous token login, a filing, a draft.
JSON_ENDPOINTS = ["/api/auth/token/", "/api/tickets/", "/api/agreements/", "/api/calendars/"]


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (TicketError("Only an agent resolves it."), 400),
        (StaleTicket("It changed since you opened it."), 409),
        (AgreementError("Only a draft can be edited."), 400),
        (StaleAgreement("It changed since you opened it."), 409),
    ],
)
def test_a_domain_error_answers_its_status_with_its_message_as_detail(error, status):
    response = exception_handler(error, {})

    assert response.status_code == status
    assert response.data == {"detail": str(error)}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/nothing-here/"),
        ("post", "/api/tickets/1/fly/"),
        ("get", "/api/tickets/not-a-number/"),
        ("delete", "/api/v2/"),
    ],
)
def test_an_unknown_api_address_answers_a_json_404(staff, method, path):
    response = getattr(api(staff), method)(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/tickets/", "/api/agreements/", "/api/schema/"])
def test_a_request_without_credentials_answers_401_asking_for_a_token(db, path):
    response = APIClient().get(path, HTTP_ACCEPT="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_invalid_fields_answer_a_detail_with_the_messages_of_each_field_beside_it(staff):
    response = api(staff).post("/api/tickets/", {"title": ""}, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["detail"] == "Some fields are not valid; see the message of each."
    assert errors["service"] == ["This field is required."]


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
def test_json_nested_deeper_than_the_limit_answers_400_on_every_endpoint(admin_user, path):
    # ~100 KB of "[" made the JSON decoder raise RecursionError: a 500, even without logging in.
    attack = "[" * 100_000

    response = api(admin_user).post(path, attack, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep."
    }


def test_json_nested_just_past_the_limit_is_refused_too(staff):
    # The object is the first level: a password of MAX_JSON_DEPTH lists is one too many.
    password = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    body = '{"username": "staff", "password": ' + password + "}"

    response = api().post("/api/auth/token/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps({"username": "staff", "password": "x" * 3000})),
        ("application/x-www-form-urlencoded", "username=staff&password=" + "x" * 3000),
    ],
)
def test_a_body_larger_than_the_limit_answers_413_in_json(staff, settings, content_type, body):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000

    response = api().post("/api/auth/token/", body, content_type=content_type)

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}
    assert not Token.objects.exists()


def test_a_multipart_body_with_too_large_a_field_answers_413_in_json(staff, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000

    response = api().post("/api/auth/token/", {"username": "staff", "password": "x" * 3000})

    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is too large."}


def test_the_schema_documents_every_error_of_every_operation_in_the_one_shape(staff):
    schema = api(staff).get("/api/schema/", {"format": "json"}).json()

    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "413"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (
                    method,
                    path,
                    status,
                )
