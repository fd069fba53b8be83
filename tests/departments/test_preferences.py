"""A person chooses, on their preferences page, one e-mail per alert or one digest an hour."""

from django.urls import reverse

from departments.models import Profile


def test_the_preferences_page_offers_the_hourly_digest(client, head):
    client.force_login(head)

    page = client.get(reverse("preferences")).content.decode()

    assert "One digest e-mail an hour" in page


def test_the_header_links_to_the_preferences_page(client, head):
    client.force_login(head)

    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("preferences")}"' in page


def test_a_head_chooses_the_hourly_digest(client, head):
    client.force_login(head)

    response = client.post(reverse("preferences"), {"alert_digest": "on"})

    assert response.status_code == 302
    assert Profile.objects.get(user=head).alert_digest


def test_a_head_goes_back_to_one_email_per_alert(client, head):
    Profile.objects.update_or_create(user=head, defaults={"alert_digest": True})
    client.force_login(head)

    client.post(reverse("preferences"), {})

    assert not Profile.objects.get(user=head).alert_digest


def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("preferences"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
