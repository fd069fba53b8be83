"""Nothing half-saved: when the database refuses an attachment's row, or a later step of the same
filing fails, no file is left in the media folder."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.urls import reverse

from tests.support.world import filing
from tickets import services
from tickets.models import Attachment, Ticket


def stored_files() -> list[Path]:
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def refuse_attachments_named(name: str) -> None:
    """The database refuses such rows from now on (undone with the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE tickets_attachment ADD CONSTRAINT test_refused CHECK (name <> %s)",
            [name],
        )


def test_a_file_whose_row_the_database_refuses_is_not_kept(staff, payroll_extract, file_request):
    ticket = file_request(payroll_extract)
    refuse_attachments_named("october.csv")
    upload = SimpleUploadedFile("october.csv", b"name,amount\n", content_type="text/csv")

    with pytest.raises(IntegrityError):
        services.ticket_attach(ticket_id=ticket.pk, by=staff, upload=upload)

    assert stored_files() == []
    assert not Attachment.objects.exists()


def test_a_filing_whose_second_file_is_refused_keeps_neither_file(
    client, staff, sales, payroll_extract
):
    refuse_attachments_named("sample.pdf")
    client.force_login(staff)
    client.raise_request_exception = False
    first = SimpleUploadedFile("october.csv", b"name,amount\n", content_type="text/csv")
    second = SimpleUploadedFile("sample.pdf", b"%PDF-1.4\n", content_type="application/pdf")

    response = client.post(
        reverse("tickets:new", args=[payroll_extract.pk]),
        filing(sales, attachment=first, answer_sample=second),
    )

    assert response.status_code == 500
    assert not Ticket.objects.exists()
    assert stored_files() == []


def test_an_attachment_that_is_saved_keeps_its_file(staff, payroll_extract, file_request):
    ticket = file_request(payroll_extract)
    upload = SimpleUploadedFile("october.csv", b"name,amount\n", content_type="text/csv")

    attachment = services.ticket_attach(ticket_id=ticket.pk, by=staff, upload=upload)

    assert stored_files() == [Path(settings.MEDIA_ROOT) / attachment.file.name]
    assert attachment.file.read() == b"name,amount\n"
