"""Complaints count on the department's dashboard and in the scorecard, with the working time
the department took to respond; the scorecard's export carries the same figures."""

import csv
import io
from datetime import date

from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.periods import Period
from dashboards.scorecard import company_facts, scorecard
from feedback import services
from feedback.models.complaints import Kind
from tests.support.clock import NOW, at

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 25))
QUERY = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}


def complaints_of_the_week(file_complaint, head, finance):
    """Two complaints and a suggestion about Finance; one answered after 2 working hours
    (Monday 11:00 to 14:30, lunch not counted)."""
    first = file_complaint(now=at(23, 11), anonymous=True)
    file_complaint(now=at(24, 9))
    file_complaint(kind=Kind.SUGGESTION, now=at(24, 10))
    services.feedback_respond(
        feedback_id=first.pk, by=head, outcome="answered", response="Noted.", now=at(23, 14, 30)
    )


def test_the_scorecard_counts_complaints_and_the_response_time(
    agreement, file_complaint, head, finance
):
    complaints_of_the_week(file_complaint, head, finance)

    rows = {row.department.name: row for row in scorecard(company_facts(WEEK, NOW))}

    assert rows["Finance"].complaints == 2
    assert rows["Finance"].feedback.suggestions == 1
    assert rows["Finance"].complaint_response.total_seconds() == 2 * 3600
    assert rows["Sales"].complaints == 0


def test_the_scorecard_export_carries_the_complaints(
    client, agreement, file_complaint, head, hr, finance
):
    complaints_of_the_week(file_complaint, head, finance)
    client.force_login(hr)

    response = client.get(reverse("dashboards:scorecard_export", args=["scorecard", "csv"]), QUERY)

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    finance_row = next(row for row in rows if row[1] == "Finance")
    named = dict(zip(header, finance_row, strict=False))
    assert named["Complaints"] == "2"
    assert named["Median response to complaints (working hours)"] == "2.0"


def test_the_departments_dashboard_shows_its_complaints_without_names(
    client, agreement, file_complaint, head, finance
):
    complaints_of_the_week(file_complaint, head, finance)
    client.force_login(head)

    page = client.get(reverse("dashboards:department", args=["FIN"]), QUERY).content.decode()

    assert "2 complaints, 1 suggestion" in page
    assert "Sam Li" not in page


def test_the_scorecard_in_the_api_carries_the_same_complaints(
    agreement, file_complaint, head, hr, finance
):
    complaints_of_the_week(file_complaint, head, finance)
    client = APIClient()
    client.force_authenticate(hr)

    rows = client.get("/api/scorecard/", QUERY).json()["results"]

    finance_row = next(row for row in rows if row["department"]["code"] == "FIN")
    assert (finance_row["complaints"], finance_row["complaint_response_hours"]) == (2, 2.0)
