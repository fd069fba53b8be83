"""An anonymous complaint hides who filed it from the department through every door: its pages,
its e-mail, the API and the admin. The complainant and HR still see who it was (administrators,
who hold every permission, count as HR: see the README)."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from feedback import services
from tests.factories import UserFactory

NAME = "Sam Li"


@pytest.fixture
def anonymous(file_complaint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return file_complaint(anonymous=True)


def page_of(client, person, url) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_heads_pages_do_not_name_the_complainant(client, anonymous, head):
    for url in (anonymous.get_absolute_url(), reverse("feedback:list")):
        page = page_of(client, head, url)
        assert NAME not in page
        assert "Anonymous" in page


def test_hr_and_the_complainant_see_who_filed_it(client, anonymous, hr, staff):
    for person in (hr, staff):
        assert NAME in page_of(client, person, anonymous.get_absolute_url())


def test_the_heads_e_mail_does_not_name_the_complainant(anonymous, head):
    (message,) = mail.outbox
    assert message.to == [head.email]
    body = message.body + message.alternatives[0][0]
    assert NAME not in body and "Anonymous" in body


def test_the_history_does_not_name_the_complainant_once_escalated(
    client, anonymous, staff, head, ceo
):
    services.feedback_respond(feedback_id=anonymous.pk, by=head, outcome="declined", response="No.")
    services.feedback_escalate(feedback_id=anonymous.pk, by=staff, reason="Please look.")

    for person in (head, ceo):
        assert NAME not in page_of(client, person, anonymous.get_absolute_url())


def test_the_api_does_not_name_the_complainant_to_the_department(anonymous, head, hr):
    client = APIClient()
    client.force_authenticate(head)
    one = client.get(f"/api/feedback/{anonymous.pk}/").json()
    listed = client.get("/api/feedback/").json()["results"]

    assert one["complainant"] is None
    assert [event["actor"] for event in one["events"]] == [None]
    assert listed[0]["complainant"] is None
    assert "staff" not in str(one) and "staff" not in str(listed)

    client.force_authenticate(hr)
    assert client.get(f"/api/feedback/{anonymous.pk}/").json()["complainant"] == "staff"


def test_a_non_hr_administrator_does_not_see_the_complainant_in_the_admin(client, anonymous):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_feedback"))

    page = page_of(client, clerk, reverse("admin:feedback_feedback_change", args=[anonymous.pk]))
    listed = page_of(client, clerk, reverse("admin:feedback_feedback_changelist") + "?q=staff")

    assert ">staff<" not in page and "Anonymous" in page
    assert anonymous.subject not in listed  # a search by the complainant finds nothing


def test_a_superuser_counts_as_hr_in_the_admin(client, anonymous, admin_user):
    url = reverse("admin:feedback_feedback_change", args=[anonymous.pk])

    assert ">staff<" in page_of(client, admin_user, url)
