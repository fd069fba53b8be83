"""Files sent with a comment: checked as a filing's files are, shown under their comment, and
as hidden as an internal note is, through every door (the page, the download URL, the API).
`staff` of Sales asks Finance for the payroll extract; `agent` works it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.urls import reverse
from rest_framework.test import APIClient

from tickets import conversation
from tickets.models import ATTACHMENT_MAX_BYTES, Attachment, CommentFile, Event


def csv(name="october.csv", content=b"name,amount\n"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ticket(agreement, payroll_extract, file_request):
    return file_request(payroll_extract)


@pytest.fixture
def internal_file(ticket, agent):
    """An internal note of Finance with a file the requester must never see."""
    comment = conversation.comment_post(
        ticket_id=ticket.pk,
        by=agent,
        text="Payroll totals do not match, checking",
        internal=True,
        files=[csv("salaries-secret.csv")],
    )
    return comment.event.files.get().attachment


def test_a_comment_takes_files_and_shows_them_under_it(client, ticket, staff):
    client.force_login(staff)

    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]),
        {"text": "Here are the figures", "files": [csv(), csv("notes.txt", b"hello")]},
    )

    assert response.status_code == 302
    comment = Event.objects.get(kind=Event.Kind.COMMENT)
    assert sorted(f.attachment.name for f in comment.files.all()) == ["notes.txt", "october.csv"]
    page = client.get(ticket.get_absolute_url()).content.decode()
    download = reverse("tickets:attachment", args=[ticket.pk, Attachment.objects.first().pk])
    assert download in page
    assert client.get(download).status_code == 200


def test_a_file_of_a_refused_type_is_a_form_error_and_nothing_is_saved(client, ticket, staff):
    client.force_login(staff)
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")

    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]), {"text": "See file", "files": [script]}
    )

    assert response.status_code == 400
    assert "Files of this type cannot be attached" in response.content.decode()
    assert not Event.objects.filter(kind=Event.Kind.COMMENT).exists()
    assert stored_files() == []


def test_a_file_over_the_size_limit_is_refused(client, ticket, staff):
    client.force_login(staff)
    big = csv("big.csv", b"x" * (ATTACHMENT_MAX_BYTES + 1))

    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]), {"text": "Big", "files": [big]}
    )

    assert response.status_code == 400
    assert "attachments are limited to" in response.content.decode()
    assert not Attachment.objects.exists()


def test_more_files_than_a_comment_takes_are_refused(client, ticket, staff):
    client.force_login(staff)
    files = [csv(f"f{number}.csv") for number in range(conversation.COMMENT_FILES_MAX + 1)]

    response = client.post(
        reverse("tickets:comment", args=[ticket.pk]), {"text": "Many", "files": files}
    )

    assert response.status_code == 400
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_the_files_of_an_internal_note_are_not_on_the_requesters_page(
    client, ticket, staff, internal_file
):
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "salaries-secret.csv" not in page


def test_the_files_of_an_internal_note_are_on_the_agents_page(client, ticket, agent, internal_file):
    client.force_login(agent)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "salaries-secret.csv" in page


def test_the_requester_cannot_download_a_file_of_an_internal_note(
    client, ticket, staff, agent, internal_file
):
    path = reverse("tickets:attachment", args=[ticket.pk, internal_file.pk])
    client.force_login(staff)
    assert client.get(path).status_code == 404
    client.force_login(agent)
    assert client.get(path).status_code == 200


def test_the_api_hides_the_files_of_an_internal_note_from_the_requester(
    ticket, staff, agent, internal_file
):
    listing = f"/api/tickets/{ticket.pk}/attachments/"
    download = f"{listing}{internal_file.pk}/"

    assert api(staff).get(listing).json() == []
    assert api(staff).get(f"/api/tickets/{ticket.pk}/").json()["attachments"] == []
    assert api(staff).get(download).status_code == 404
    assert [f["name"] for f in api(agent).get(listing).json()] == ["salaries-secret.csv"]
    agent_detail = api(agent).get(f"/api/tickets/{ticket.pk}/").json()
    assert [f["name"] for f in agent_detail["attachments"]] == ["salaries-secret.csv"]
    assert api(agent).get(download).status_code == 200


def test_the_api_takes_files_with_a_comment(ticket, staff):
    response = api(staff).post(
        f"/api/tickets/{ticket.pk}/comments/",
        {"text": "Figures attached", "files": [csv(), csv("second.csv")]},
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert CommentFile.objects.filter(comment_id=response.json()["id"]).count() == 2


def test_the_api_refuses_a_file_of_a_refused_type_on_its_field(ticket, staff):
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")

    response = api(staff).post(
        f"/api/tickets/{ticket.pk}/comments/",
        {"text": "See file", "files": [script]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "files" in response.json()
    assert not Attachment.objects.exists()


def test_a_comment_whose_second_file_the_database_refuses_keeps_no_file_and_no_comment(
    ticket, staff
):
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE tickets_attachment ADD CONSTRAINT test_refused CHECK (name <> %s)",
            ["second.csv"],
        )

    with pytest.raises(IntegrityError):
        conversation.comment_post(
            ticket_id=ticket.pk, by=staff, text="Two files", files=[csv(), csv("second.csv")]
        )

    assert stored_files() == []
    assert not Attachment.objects.exists()
    assert not Event.objects.filter(kind=Event.Kind.COMMENT).exists()
