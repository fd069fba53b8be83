"""The header on every page: a search box for the requests, and "Change password" only for
people who have a password in Accord (not those who sign in with the company's provider)."""

from django.urls import reverse


def test_every_page_has_a_search_box_that_searches_the_requests(client, staff):
    client.force_login(staff)

    page = client.get(reverse("tickets:mine")).content.decode()

    assert f'action="{reverse("tickets:search")}"' in page
    assert 'role="search"' in page


def test_people_with_a_password_may_change_it(client, staff):
    client.force_login(staff)

    assert "Change password" in client.get(reverse("tickets:mine")).content.decode()


def test_people_who_sign_in_with_the_provider_have_no_password_to_change(client, staff):
    staff.set_unusable_password()
    staff.save()
    client.force_login(staff)

    assert "Change password" not in client.get(reverse("tickets:mine")).content.decode()
