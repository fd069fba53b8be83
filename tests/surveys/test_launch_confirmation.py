""" "Launch" first says how many people will be e-mailed: a confirmation page counts the people
and the invitations of the first wave with the audience code the launch runs, and launches only
when confirmed. Time stands at the quarterly campaign's first launch, 1 October 2026."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from departments.models import Membership
from surveys.models import Campaign, Invitation, Wave
from tests.factories import DepartmentFactory
from tests.support.clock import LAUNCH


@pytest.fixture(autouse=True)
def at_launch():
    with time_machine.travel(LAUNCH, tick=False):
        yield


@pytest.fixture
def filed_with_two_departments(company, sales, finance, people, requests_filed):
    """Three people of Sales filed requests with Finance; two of them also with Legal."""
    legal = DepartmentFactory(code="LEGAL", name="Legal", parent=company)
    staff = people(sales, 3)
    day = LAUNCH - timedelta(days=3)
    requests_filed(customer=sales, provider=finance, people=staff, filed_at=day)
    requests_filed(customer=sales, provider=legal, people=staff[:2], filed_at=day)
    return staff


def test_the_confirmation_counts_the_people_and_invitations_of_the_first_wave(
    client, hr, campaign, filed_with_two_departments
):
    draft = campaign()
    client.force_login(hr)

    page = client.get(reverse("surveys:campaign_launch", args=[draft.pk])).content.decode()

    assert "Launching now e-mails 3 people." in page
    assert "rate departments 5 times in all" in page
    assert not Wave.objects.exists()


def test_the_count_is_what_the_launch_then_invites(
    client, hr, campaign, filed_with_two_departments
):
    draft = campaign()
    client.force_login(hr)
    client.get(reverse("surveys:campaign_launch", args=[draft.pk]))

    client.post(reverse("surveys:campaign_launch", args=[draft.pk]))

    invitations = Invitation.objects.all()
    assert invitations.count() == 5
    assert invitations.values("recipient").distinct().count() == 3


def test_a_campaign_starting_later_says_when_and_counts_what_is_known_today(
    client, hr, campaign, filed_with_two_departments
):
    draft = campaign(starts_on=date(2026, 10, 8))
    client.force_login(hr)

    page = client.get(reverse("surveys:campaign_launch", args=[draft.pk])).content.decode()

    assert "counted today, it would e-mail 3 people." in page


def test_a_campaign_nobody_would_receive_says_so(client, hr, campaign):
    draft = campaign()
    client.force_login(hr)

    page = client.get(reverse("surveys:campaign_launch", args=[draft.pk])).content.decode()

    assert "Launching now e-mails 0 people." in page
    assert "Nobody would be e-mailed" in page


def test_the_campaign_page_leads_to_the_confirmation(client, hr, campaign):
    draft = campaign()
    client.force_login(hr)

    page = client.get(draft.get_absolute_url()).content.decode()

    assert f'href="{reverse("surveys:campaign_launch", args=[draft.pk])}"' in page


def test_a_launched_campaign_goes_back_to_its_page(client, hr, campaign):
    draft = campaign()
    Campaign.objects.filter(pk=draft.pk).update(status=Campaign.Status.ACTIVE)
    client.force_login(hr)

    response = client.get(reverse("surveys:campaign_launch", args=[draft.pk]))

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_the_confirmation_counts_in_chinese(client, hr, campaign, filed_with_two_departments):
    draft = campaign()
    client.force_login(hr)

    page = client.get(
        reverse("surveys:campaign_launch", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "现在发起将向 3 人发送邮件。" in page


@pytest.mark.parametrize("who", ["staff", "outsider"])
def test_only_hr_sees_the_confirmation(client, request, campaign, who):
    draft = campaign()
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("surveys:campaign_launch", args=[draft.pk]))

    assert response.status_code == 404


def test_a_head_is_not_counted_rating_their_own_department(
    client, hr, campaign, sales, finance, people, requests_filed
):
    finance_people = people(finance, 1, role=Membership.Role.HEAD)
    requests_filed(customer=finance, provider=finance, people=finance_people,
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    draft = campaign()
    client.force_login(hr)

    page = client.get(reverse("surveys:campaign_launch", args=[draft.pk])).content.decode()

    assert "Launching now e-mails 0 people." in page
