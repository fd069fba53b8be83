"""Control characters never break a download: input drops them at every door (the pages, the
API, the admin, survey answers), and the spreadsheets drop what was stored before."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from common.spreadsheets import csv_response, xlsx_response
from departments.models import Department
from surveys import services as survey_services
from surveys.models import Answer, Invitation, QuestionKind
from tests.support.clock import LAUNCH
from tests.support.world import filing
from tickets.models import Ticket

HOSTILE = "Payroll\x0b for\x1b[31m October\x0c\x7f"
BAD_CELLS = ["a\x0bb", "\x1b[31mred", "form\x0cfeed", "\x01=1+1", "keep\ttab\nand newline"]
SHOWN = ["ab", "[31mred", "formfeed", "'=1+1", "keep\ttab\nand newline"]


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"), newline="")))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content(response))).active
    return list(sheet.iter_rows(values_only=True))


def test_an_xlsx_of_text_with_control_characters_opens_without_them():
    response = xlsx_response([["text"], *([cell] for cell in BAD_CELLS)],
                             filename="x.xlsx", sheet_title="Bad\x1b title")  # fmt: skip

    assert xlsx_rows(response) == [("text",), *((cell,) for cell in SHOWN)]


def test_a_csv_of_text_with_control_characters_holds_the_same_text_as_the_xlsx():
    response = csv_response([["text"], *([cell] for cell in BAD_CELLS)], filename="x.csv")

    assert csv_rows(response) == [["text"], *([cell] for cell in SHOWN)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_stored_title_with_control_characters_does_not_break_the_providers_export(
    client, head, finance, finance_week, fmt
):
    # Stored before input was cleaned (update() does not pass through save()).
    Ticket.objects.filter(pk=finance_week["F"].pk).update(title="Payroll\x0b\x1b extract\x0c")
    client.force_login(head)
    url = reverse("dashboards:export", args=[finance.code, "requests", fmt])
    week = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}

    response = client.get(url, {**week, "target": "first_response", "outcome": "breached"})

    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert {row[1] for row in rows[1:]} == {"C", "Payroll extract"}


def test_a_request_filed_on_the_page_is_stored_without_control_characters(
    client, staff, sales, agreement, payroll_extract
):
    client.force_login(staff)

    client.post(
        reverse("tickets:new", args=[payroll_extract.pk]),
        filing(sales, title=HOSTILE, answer_notes="Net\x1b pay\x0b only"),
    )

    ticket = Ticket.objects.get()
    assert ticket.title == "Payroll for[31m October"
    assert ticket.answers["notes"] == "Net pay only"


def test_a_request_filed_through_the_api_is_stored_without_control_characters(
    staff, agreement, payroll_extract
):
    api = APIClient()
    api.force_authenticate(staff)
    body = {
        "service": payroll_extract.pk,
        "title": "Payroll\x0b for\x1b October",
        "description": "All\x07 staff",
        "answers": {"month": "2026-10-01", "format": "CSV", "notes": "Net\x1b pay"},
    }

    response = api.post("/api/tickets/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "Payroll for October"
    ticket = Ticket.objects.get()
    assert (ticket.title, ticket.description) == ("Payroll for October", "All staff")
    assert ticket.answers["notes"] == "Net pay"


def test_a_name_typed_in_the_admin_is_stored_without_control_characters(admin_client, finance):
    url = reverse("admin:departments_department_change", args=[finance.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"name": "Fin\x1bance\x0b", "memberships-TOTAL_FORMS": 0,
                 "memberships-INITIAL_FORMS": 0})  # fmt: skip

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Department.objects.get(pk=finance.pk).name == "Finance"


@pytest.mark.django_db
def test_a_survey_comment_is_stored_without_control_characters(
    campaign, hr, staff, sales, finance, requests_filed
):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    with time_machine.travel(LAUNCH, tick=False):
        survey_services.campaign_launch(campaign_id=campaign().pk, by=hr)
    invitation = Invitation.objects.get()
    questions = list(invitation.wave.campaign.questions.all())
    answers = {q.pk: 4 for q in questions if q.kind == QuestionKind.LIKERT}
    text = next(q for q in questions if q.kind == QuestionKind.TEXT)

    with time_machine.travel(LAUNCH, tick=False):
        survey_services.response_submit(
            invitation_id=invitation.pk, answers={**answers, text.pk: "Quick\x1b and\x0c kind"}
        )

    assert Answer.objects.get(question=text).text == "Quick and kind"
