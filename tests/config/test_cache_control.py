"""What a signed-in person is shown is kept by no browser cache or proxy (`Cache-Control:
private, no-store`): pages, the API, downloads, and the personal pages e-mailed links open (a
survey to answer without signing in, an approval to decide). Static files and other anonymous
answers keep their caching."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from surveys import services as survey_services
from surveys.links import answer_path
from surveys.models import Invitation
from tests.support.clock import LAUNCH
from tickets import services
from tickets.approval_links import approval_link_path


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


def test_the_survey_an_e_mailed_link_opens_without_signing_in_is_private_and_not_stored(
    client, campaign, hr, staff, sales, finance, requests_filed
):
    with time_machine.travel(LAUNCH, tick=False):
        requests_filed(customer=sales, provider=finance, people=[staff],
                       filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
        survey_services.campaign_launch(campaign_id=campaign().pk, by=hr)

        response = client.get(answer_path(Invitation.objects.get()))

    assert "How is Finance serving you?" in response.content.decode()
    assert {"private", "no-store"} <= directives(response)


def test_an_approval_link_page_is_private_and_not_stored_by_itself(
    client, head, agreement, purchase, file_request, settings
):
    # Without the middleware that marks every signed-in page, the view marks its own.
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if "PrivateWhenSignedIn" not in name
    ]
    step = file_request(purchase, title="New laptops").approvals.get(position=1)
    client.force_login(head)

    response = client.get(approval_link_path(step))

    assert "New laptops" in response.content.decode()
    assert {"private", "no-store"} <= directives(response)
