"""The complaints API: the pages' permissions (404 for what a person may not see, 403 for a
step they may not take, 409 for a stale one, 400 with field messages)."""

import pytest
from rest_framework.test import APIClient

from feedback.models.complaints import Feedback


@pytest.fixture
def api():
    return APIClient()


def as_(api, person) -> APIClient:
    api.force_authenticate(person)
    return api


def test_staff_files_a_complaint_about_a_request_they_filed(
    api, staff, head, file_request, payroll_extract, agreement
):
    ticket = file_request(payroll_extract)

    response = as_(api, staff).post(
        "/api/feedback/",
        {"kind": "complaint", "ticket": ticket.pk, "subject": "Late", "text": "Again.",
         "anonymous": True},
        format="json",
    )  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["department"], body["complainant"], body["anonymous"]) == ("FIN", "staff", True)
    assert body["response_due_at"] == "2026-11-25T10:00:00+08:00"  # 16 working hours


def test_a_request_one_may_not_see_is_a_field_error(
    api, outsider, file_request, payroll_extract, agreement
):
    ticket = file_request(payroll_extract)

    response = as_(api, outsider).post(
        "/api/feedback/",
        {"kind": "complaint", "ticket": ticket.pk, "subject": "Late", "text": "Again."},
        format="json",
    )

    assert response.status_code == 400
    assert "ticket" in response.json()


def test_a_suggestion_names_a_department(api, staff):
    response = as_(api, staff).post(
        "/api/feedback/", {"kind": "suggestion", "subject": "Idea", "text": "More."}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Choose the department it is about."


def test_others_get_404(api, file_complaint, agent, outsider):
    complaint = file_complaint()
    for person in (agent, outsider):
        client = as_(api, person)
        assert client.get(f"/api/feedback/{complaint.pk}/").status_code == 404
        assert client.get("/api/feedback/").json()["results"] == []
        answer = {"outcome": "answered", "response": "x"}
        assert client.post(f"/api/feedback/{complaint.pk}/respond/", answer).status_code == 404


def test_the_head_responds_once_and_the_complainant_may_not(api, file_complaint, staff, head):
    complaint = file_complaint()
    answer = {"outcome": "accepted", "response": "Fixed."}

    refused = as_(api, staff).post(f"/api/feedback/{complaint.pk}/respond/", answer)
    done = as_(api, head).post(f"/api/feedback/{complaint.pk}/respond/", answer)
    again = as_(api, head).post(f"/api/feedback/{complaint.pk}/respond/", answer)

    assert (refused.status_code, done.status_code, again.status_code) == (403, 200, 409)
    assert done.json()["status"] == "responded"


def test_the_complainant_reopens_once_then_accepts(api, file_complaint, staff, head):
    complaint = file_complaint()
    answer = {"outcome": "answered", "response": "Looking."}
    as_(api, head).post(f"/api/feedback/{complaint.pk}/respond/", answer)
    reopened = as_(api, staff).post(f"/api/feedback/{complaint.pk}/reopen/", {"reason": "No."})
    as_(api, head).post(f"/api/feedback/{complaint.pk}/respond/", answer)
    twice = as_(api, staff).post(f"/api/feedback/{complaint.pk}/reopen/", {})
    accepted = as_(api, staff).post(f"/api/feedback/{complaint.pk}/accept/")

    assert reopened.json()["round"] == 2
    assert twice.status_code == 400
    assert accepted.json()["status"] == "closed"
    assert Feedback.objects.get().closed_at is not None


def test_the_list_filters_by_status_and_refuses_unknown_values(api, file_complaint, staff):
    file_complaint()
    client = as_(api, staff)

    mine = client.get("/api/feedback/", {"status": "open", "mine": "true"}).json()["results"]
    assert len(mine) == 1
    assert client.get("/api/feedback/", {"status": "closed"}).json()["results"] == []
    assert client.get("/api/feedback/", {"status": "nonsense"}).status_code == 400
