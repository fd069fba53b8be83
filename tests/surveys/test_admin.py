"""Surveys in the admin: the bank and campaigns are editable, a launched campaign is read-only
(its thresholds are fixed), invitations and responses are read-only records."""

import pytest
from django.urls import reverse

from surveys import services
from surveys.models import Answer, Invitation, Response, Wave
from tests.support.surveys import respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(campaign, hr, staff, finance):
    """A named campaign: the admin lists its responses, as its export names their people."""
    launched = services.campaign_launch(campaign_id=campaign(anonymous=False).pk, by=hr)
    wave = Wave.objects.get(campaign=launched)
    Invitation.objects.create(wave=wave, recipient=staff, rated_department=finance)
    respond(wave, finance, [4])
    return launched


@pytest.mark.parametrize("model", ["question", "campaign", "wave", "invitation", "response"])
def test_each_survey_admin_list_and_page_opens(client, admin_user, records, model):
    client.force_login(admin_user)
    objects = {
        "question": None,
        "campaign": records,
        "wave": Wave.objects.first(),
        "invitation": Invitation.objects.first(),
        "response": Response.objects.first(),
    }

    listing = client.get(reverse(f"admin:surveys_{model}_changelist"))
    assert listing.status_code == 200
    if objects[model] is not None:
        page = client.get(reverse(f"admin:surveys_{model}_change", args=[objects[model].pk]))
        assert page.status_code == 200


def test_a_launched_campaign_is_read_only_in_the_admin(client, admin_user, records):
    client.force_login(admin_user)

    page = client.get(reverse("admin:surveys_campaign_change", args=[records.pk]))

    assert b'name="min_respondents"' not in page.content
    assert Answer.objects.count() == 5


def test_responses_cannot_be_added_or_changed_in_the_admin(client, admin_user, records):
    client.force_login(admin_user)

    assert client.get(reverse("admin:surveys_response_add")).status_code == 403
    assert client.get(reverse("admin:surveys_invitation_add")).status_code == 403


@pytest.fixture
def anonymous_wave(campaign, hr, staff, finance):
    launched = services.campaign_launch(campaign_id=campaign().pk, by=hr)
    wave = Wave.objects.get(campaign=launched)
    Invitation.objects.create(wave=wave, recipient=staff, rated_department=finance, answered=True)
    respond(wave, finance, [4] * 5)
    return wave


def test_the_admin_shows_no_response_of_an_anonymous_campaign(client, admin_user, anonymous_wave):
    client.force_login(admin_user)
    response = Response.objects.filter(wave=anonymous_wave).first()

    listing = client.get(reverse("admin:surveys_response_changelist"))
    detail = client.get(reverse("admin:surveys_response_change", args=[response.pk]))

    assert listing.status_code == 200
    assert str(response.pk) not in listing.text
    assert "0 responses" in listing.text
    assert detail.status_code == 302  # "does not exist", back to the admin's index


def test_the_admin_does_not_say_whether_an_invitation_was_answered(
    client, admin_user, anonymous_wave, staff
):
    client.force_login(admin_user)
    invitation = Invitation.objects.get(recipient=staff)

    listing = client.get(reverse("admin:surveys_invitation_changelist"))
    detail = client.get(reverse("admin:surveys_invitation_change", args=[invitation.pk]))

    assert listing.status_code == detail.status_code == 200
    assert "answered" not in listing.text.lower()
    assert "answered" not in detail.text.lower()
