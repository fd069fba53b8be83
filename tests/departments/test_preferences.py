"""A person chooses, on their preferences page, how each kind of message reaches them: e-mail
now, the hourly digest, or in Accord only."""

from django.urls import reverse

from departments.models import Delivery, Profile
from outbox.kinds import KINDS

CHOSEN = [name for name, kind in KINDS.items() if kind.label and not kind.email_only]


def all_email(**choices):
    return {name: choices.get(name.replace("tickets.", ""), Delivery.EMAIL) for name in CHOSEN}


def test_the_preferences_page_offers_a_choice_per_kind_of_message(client, head):
    client.force_login(head)

    page = client.get(reverse("preferences")).content.decode()

    assert 'name="tickets.breach"' in page
    assert 'name="agreements.proposed"' in page
    assert "A target is missed (breach)" in page
    for choice in ("E-mail now", "Hourly digest", "In Accord only"):
        assert choice in page


def test_the_preferences_page_says_survey_invitations_are_always_emailed(client, head):
    client.force_login(head)

    page = client.get(reverse("preferences")).content.decode()

    assert 'name="surveys.invitation"' not in page
    assert "Always by e-mail: Survey invitations, Survey reminders" in page


def test_the_preferences_page_speaks_chinese(client, head):
    Profile.objects.create(user=head, language="zh-hans")
    client.force_login(head)

    page = client.get(reverse("preferences"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "仅在 Accord 中" in page


def test_the_header_links_to_the_preferences_page(client, head):
    client.force_login(head)

    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("preferences")}"' in page


def test_a_head_chooses_the_hourly_digest_for_breaches_and_accord_only_for_new_requests(
    client, head
):
    client.force_login(head)

    response = client.post(
        reverse("preferences"), all_email(breach=Delivery.DIGEST, filed=Delivery.IN_APP)
    )

    assert response.status_code == 302
    assert Profile.objects.get(user=head).deliveries == {
        "tickets.breach": Delivery.DIGEST,
        "tickets.filed": Delivery.IN_APP,
    }


def test_a_head_goes_back_to_one_email_per_alert(client, head):
    Profile.objects.update_or_create(
        user=head, defaults={"deliveries": {"tickets.breach": Delivery.DIGEST}}
    )
    client.force_login(head)

    client.post(reverse("preferences"), all_email())

    assert Profile.objects.get(user=head).deliveries == {}


def test_an_unknown_choice_is_refused_and_nothing_is_saved(client, head):
    client.force_login(head)

    response = client.post(reverse("preferences"), all_email(breach="fax"))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Profile.objects.get(user=head).deliveries


def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("preferences"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
