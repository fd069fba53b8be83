"""What a signed-in person is shown is kept by no browser cache or proxy (`Cache-Control:
private, no-store`): pages, the API, downloads. Static files and anonymous answers keep their
caching."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tickets import services


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.fixture
def ticket(staff, payroll_extract, agreement, file_request):
    return file_request(payroll_extract)


@pytest.mark.parametrize(
    "url",
    [
        lambda ticket: reverse("home"),
        lambda ticket: reverse("tickets:mine"),
        lambda ticket: ticket.get_absolute_url(),
        lambda ticket: reverse("preferences"),
    ],
    ids=["home", "my requests", "a request", "preferences"],
)
def test_pages_of_a_signed_in_person_are_private_and_not_stored(client, staff, ticket, url):
    client.force_login(staff)

    response = client.get(url(ticket))

    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
    assert "public" not in directives(response)


def test_api_answers_to_a_token_are_private_and_not_stored(client, staff, ticket):
    token = Token.objects.create(user=staff)

    response = client.get("/api/tickets/", headers={"authorization": f"Token {token.key}"})

    assert response.json()["results"][0]["title"] == ticket.title
    assert {"private", "no-store"} <= directives(response)


def test_a_downloaded_attachment_is_private_and_not_stored(client, staff, ticket):
    upload = SimpleUploadedFile("october.csv", b"name,amount\n", content_type="text/csv")
    attachment = services.ticket_attach(ticket_id=ticket.pk, by=staff, upload=upload)
    client.force_login(staff)

    response = client.get(reverse("tickets:attachment", args=[ticket.pk, attachment.pk]))

    assert b"".join(response.streaming_content) == b"name,amount\n"
    assert {"private", "no-store"} <= directives(response)


def test_static_files_keep_their_caching_for_a_signed_in_person(client, staff):
    client.force_login(staff)

    response = client.get("/static/css/accord.css")

    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert any(directive.startswith("max-age=") for directive in directives(response))


def test_anonymous_answers_are_left_as_they_were(client, db):
    response = client.get(reverse("tickets:mine"))

    assert response.status_code == 302
    assert "no-store" not in directives(response)
