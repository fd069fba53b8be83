"""The complaints pages: who sees what (404 otherwise), who may take which step (403
otherwise), a step on a stale page (409), and filing with the anonymity notice shown first."""

import pytest
from django.urls import reverse

from feedback.models.complaints import Feedback, Status


@pytest.fixture
def complaint(file_complaint):
    return file_complaint()


def test_the_filing_page_says_who_sees_an_anonymous_complaint_before_filing(client, staff):
    client.force_login(staff)

    page = client.get(reverse("feedback:new")).content.decode()

    assert "HR always sees who filed it" in page
    assert page.index("HR always sees who filed it") < page.index('type="submit">File it')


def test_staff_files_a_complaint_about_a_department(client, staff, finance, head):
    client.force_login(staff)

    response = client.post(
        reverse("feedback:new"),
        {"kind": "complaint", "department": finance.pk, "subject": "Late", "text": "Again."},
    )

    complaint = Feedback.objects.get()
    assert response.url == complaint.get_absolute_url()
    assert (complaint.complainant, complaint.department, complaint.anonymous) == (
        staff,
        finance,
        False,
    )


def test_a_complaint_about_a_request_one_cannot_see_is_refused(
    client, outsider, file_request, payroll_extract, agreement
):
    ticket = file_request(payroll_extract)
    client.force_login(outsider)

    response = client.post(
        reverse("feedback:new"),
        {"kind": "complaint", "ticket": ticket.pk, "subject": "Late", "text": "Again."},
    )

    assert response.status_code == 200
    assert not Feedback.objects.exists()


def test_a_suggestion_needs_a_department(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("feedback:new"), {"kind": "suggestion", "subject": "Idea", "text": "More."}
    )

    assert "Choose the department it is about." in response.content.decode()


@pytest.mark.parametrize("person", ["staff", "head", "hr", "admin_user", "ceo"])
def test_the_complainant_the_heads_above_and_hr_see_a_complaint(client, complaint, request, person):
    client.force_login(request.getfixturevalue(person))

    assert client.get(complaint.get_absolute_url()).status_code == 200
    listed = client.get(reverse("feedback:list")).content.decode()
    assert complaint.subject in listed


@pytest.mark.parametrize("person", ["agent", "outsider"])
def test_others_do_not_see_a_complaint(client, complaint, request, person):
    client.force_login(request.getfixturevalue(person))

    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert client.post(reverse("feedback:respond", args=[complaint.pk])).status_code == 404
    listed = client.get(reverse("feedback:list")).content.decode()
    assert complaint.subject not in listed
    assert "No complaint or suggestion to show here." in listed


def test_the_head_responds_and_the_complainant_accepts(client, complaint, staff, head):
    client.force_login(head)
    client.post(
        reverse("feedback:respond", args=[complaint.pk]),
        {"outcome": "accepted", "response": "Sorry; the extract now runs on the 1st."},
    )
    client.force_login(staff)
    client.post(reverse("feedback:accept", args=[complaint.pk]))

    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == (Status.CLOSED, "accepted")


def test_only_the_responsible_head_may_respond(client, complaint, staff, ceo):
    for person in (staff, ceo):
        client.force_login(person)
        response = client.post(
            reverse("feedback:respond", args=[complaint.pk]),
            {"outcome": "accepted", "response": "Fine."},
        )
        assert response.status_code == 403


def test_only_the_complainant_may_accept_or_reopen(client, complaint, head):
    client.force_login(head)
    client.post(
        reverse("feedback:respond", args=[complaint.pk]),
        {"outcome": "declined", "response": "No."},
    )

    assert client.post(reverse("feedback:accept", args=[complaint.pk])).status_code == 403
    assert client.post(reverse("feedback:reopen", args=[complaint.pk])).status_code == 403


def test_responding_twice_is_a_conflict(client, complaint, head):
    client.force_login(head)
    answer = {"outcome": "answered", "response": "Done."}
    client.post(reverse("feedback:respond", args=[complaint.pk]), answer)

    response = client.post(reverse("feedback:respond", args=[complaint.pk]), answer)

    assert response.status_code == 409
    assert "already been responded to" in response.content.decode()


def test_a_response_without_text_shows_the_form_error(client, complaint, head):
    client.force_login(head)

    response = client.post(
        reverse("feedback:respond", args=[complaint.pk]), {"outcome": "answered"}
    )

    assert response.status_code == 400
    assert Feedback.objects.get().status == Status.OPEN


def test_escalation_goes_to_the_nearest_common_superior(client, complaint, staff, head, ceo):
    client.force_login(head)
    client.post(
        reverse("feedback:respond", args=[complaint.pk]),
        {"outcome": "declined", "response": "Not our fault."},
    )
    client.force_login(staff)
    client.post(reverse("feedback:escalate", args=[complaint.pk]), {"escalate-reason": "Is."})
    complaint.refresh_from_db()
    assert (complaint.escalated_to.code, complaint.status, complaint.round) == ("EXEC", "open", 2)

    client.force_login(head)
    denied = client.post(
        reverse("feedback:respond", args=[complaint.pk]), {"outcome": "accepted", "response": "Ok"}
    )
    client.force_login(ceo)
    client.post(
        reverse("feedback:respond", args=[complaint.pk]),
        {"outcome": "accepted", "response": "Finance will fix it."},
    )

    assert denied.status_code == 403
    complaint.refresh_from_db()
    assert (complaint.responded_by, complaint.outcome) == (ceo, "accepted")


def test_the_list_is_paginated(client, file_complaint, staff):
    for number in range(26):
        file_complaint(subject=f"Complaint {number}")
    client.force_login(staff)

    first = client.get(reverse("feedback:list")).content.decode()
    second = client.get(reverse("feedback:list"), {"page": 2}).content.decode()

    assert "Page 1 of 2" in first
    assert "Complaint 0<" in second


def test_the_next_page_keeps_the_lists_filters(client, file_complaint, staff):
    for number in range(26):
        file_complaint(subject=f"Complaint {number}")
    client.force_login(staff)

    first = client.get(reverse("feedback:list"), {"kind": "complaint", "mine": "on"})

    assert 'href="?kind=complaint&amp;mine=on&amp;page=2"' in first.content.decode()


def test_a_request_page_leads_to_a_complaint_about_it(
    client, staff, head, file_request, payroll_extract, agreement
):
    ticket = file_request(payroll_extract)
    client.force_login(staff)

    request_page = client.get(ticket.get_absolute_url()).content.decode()
    filing = client.get(reverse("feedback:new"), {"ticket": ticket.pk}).content.decode()
    client.post(
        reverse("feedback:new") + f"?ticket={ticket.pk}",
        {"kind": "complaint", "ticket": ticket.pk, "subject": "Late", "text": "Again."},
    )

    assert f"/feedback/new/?ticket={ticket.pk}" in request_page
    assert f"About the request {ticket.reference}" in filing
    assert Feedback.objects.get().ticket == ticket
