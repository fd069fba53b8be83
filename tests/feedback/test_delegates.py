"""A head's delegate in force (departments.Delegation) sees and responds to the complaints the
head may, for the length of the delegation, as approvals honour delegations; an anonymous
complaint stays anonymous to them as it is to the head."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Delegation, Membership
from feedback.models.complaints import Feedback, FeedbackEvent
from tests.factories import MembershipFactory, UserFactory
from tests.support.clock import at

NAME = "Sam Li"


@pytest.fixture
def deputy(finance):
    user = UserFactory(username="deputy", first_name="Dana", last_name="Wu")
    MembershipFactory(user=user, department=finance, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def delegation(head, deputy):
    """The head is away from Friday 20 to Friday 27 November 2026."""
    return Delegation.objects.create(
        person=head, delegate=deputy, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)
    )


@pytest.fixture
def anonymous(file_complaint, clock_at, agreement):
    clock_at(at(23, 9))
    return file_complaint(anonymous=True)


def test_the_delegate_sees_the_complaint_anonymous_as_the_head_does(
    client, anonymous, deputy, delegation
):
    client.force_login(deputy)

    listed = client.get(reverse("feedback:list"))
    detail = client.get(anonymous.get_absolute_url())

    assert listed.status_code == detail.status_code == 200
    for page in (listed.content.decode(), detail.content.decode()):
        assert "Payroll extract late again" in page
        assert NAME not in page and "Anonymous" in page
    respond_url = reverse("feedback:respond", args=[anonymous.pk])
    assert f'action="{respond_url}"' in detail.content.decode()


def test_the_delegate_reads_it_in_chinese(client, anonymous, deputy, delegation):
    client.force_login(deputy)

    page = client.get(anonymous.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert page.status_code == 200
    assert "答复" in page.content.decode() and "匿名" in page.content.decode()
    assert NAME not in page.content.decode()


def test_the_delegate_responds_on_the_page(client, anonymous, deputy, delegation):
    client.force_login(deputy)

    response = client.post(
        reverse("feedback:respond", args=[anonymous.pk]),
        {"outcome": "accepted", "response": "Sorry; it now runs on the 1st."},
    )

    assert response.status_code == 302
    anonymous.refresh_from_db()
    assert (anonymous.status, anonymous.responded_by) == ("responded", deputy)
    assert anonymous.events.get(action=FeedbackEvent.Action.RESPONDED).actor == deputy


def test_the_delegate_responds_through_the_api_and_the_complainant_stays_hidden(
    anonymous, deputy, delegation
):
    api = APIClient()
    api.force_authenticate(deputy)

    response = api.post(
        f"/api/feedback/{anonymous.pk}/respond/",
        {"outcome": "answered", "response": "We are looking into it."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["complainant"]) == ("responded", None)
    assert "staff" not in str(body)


def test_the_delegates_list_counts_what_awaits_their_response(anonymous, deputy, delegation):
    assert list(Feedback.objects.awaiting_response_from(deputy)) == [anonymous]


@pytest.mark.parametrize("day", [19, 28])
def test_outside_the_delegation_the_delegate_sees_nothing(
    client, file_complaint, agreement, deputy, delegation, clock_at, day
):
    clock_at(at(day, 9))
    complaint = file_complaint()
    client.force_login(deputy)
    api = APIClient()
    api.force_authenticate(deputy)

    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert client.post(
        reverse("feedback:respond", args=[complaint.pk]), {"outcome": "answered", "response": "x"}
    ).status_code == 404  # fmt: skip
    assert api.get(f"/api/feedback/{complaint.pk}/").status_code == 404
    assert not Feedback.objects.awaiting_response_from(deputy).exists()


def test_a_delegate_does_not_respond_to_their_own_complaint(
    file_complaint, agreement, deputy, delegation, clock_at
):
    clock_at(at(23, 9))
    own = file_complaint(by=deputy)
    api = APIClient()
    api.force_authenticate(deputy)

    response = api.post(
        f"/api/feedback/{own.pk}/respond/",
        {"outcome": "accepted", "response": "All good."},
        format="json",
    )

    assert response.status_code == 403
    assert Feedback.objects.get(pk=own.pk).status == "open"


def test_a_delegate_of_someone_who_heads_nothing_sees_nothing(
    client, anonymous, deputy, staff, clock_at
):
    Delegation.objects.create(
        person=staff, delegate=deputy, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)
    )
    client.force_login(deputy)

    assert client.get(anonymous.get_absolute_url()).status_code == 404
