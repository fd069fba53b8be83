"""Hand-offs on the request pages: Finance's `agent` hands part of a Sales request off to IT,
the parent lists it with its status and time left, the child names its parent only to those
who may see it; in English and in Chinese."""

import pytest
from django.urls import reverse

from agreements.models import Priority
from tests.support.clock import at
from tickets.models import Ticket


@pytest.fixture
def parent(agreement, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    return file_request(payroll_extract, priority=Priority.P2)


def test_an_agent_opens_a_hand_off_from_the_request_page(
    client, parent, agent, laptop, it_agreement
):
    client.force_login(agent)
    page = client.get(reverse("tickets:detail", args=[parent.pk]))
    assert "Hand off to another department" in page.content.decode()

    chooser = client.get(reverse("tickets:hand_off", args=[parent.pk]))
    assert "IT · New laptop" in chooser.content.decode()
    form = client.get(reverse("tickets:hand_off", args=[parent.pk]), {"service": laptop.pk})
    assert "New laptop" in form.content.decode()

    response = client.post(
        reverse("tickets:hand_off", args=[parent.pk]) + f"?service={laptop.pk}",
        {"title": "Laptop for the new accountant", "priority": "P2"},
    )

    child = Ticket.objects.get(parent=parent)
    assert response.status_code == 302 and response["Location"] == parent.get_absolute_url()
    assert child.title == "Laptop for the new accountant" and child.customer == parent.provider


def test_a_hand_off_without_an_agreement_is_refused_on_the_form(
    client, parent, agent, it, it_agreement
):
    from tests.factories import ServiceFactory

    toner = ServiceFactory(provider=it, name="Printer toner")
    client.force_login(agent)

    response = client.post(
        reverse("tickets:hand_off", args=[parent.pk]) + f"?service={toner.pk}",
        {"title": "Toner", "priority": "P2"},
    )

    assert response.status_code == 400
    assert "No agreement in force covers Finance" in response.content.decode()


def test_a_service_that_is_not_offered_is_refused_on_the_form(client, parent, agent):
    client.force_login(agent)

    response = client.post(
        reverse("tickets:hand_off", args=[parent.pk]) + "?service=999999",
        {"title": "Anything", "priority": "P2"},
    )

    assert response.status_code == 400
    assert not Ticket.objects.filter(parent=parent).exists()


def test_the_requester_of_the_parent_may_not_hand_it_off(client, parent, staff):
    client.force_login(staff)

    assert client.get(reverse("tickets:hand_off", args=[parent.pk])).status_code == 403
    assert (
        "Hand off to another department"
        not in client.get(parent.get_absolute_url()).content.decode()
    )


def test_the_parent_page_lists_its_hand_offs_with_status_and_time_left(
    client, parent, hand_off, staff
):
    child = hand_off(parent)
    client.force_login(staff)

    page = client.get(parent.get_absolute_url()).content.decode()

    assert child.reference in page and "Laptop for the new accountant" in page
    assert child.get_absolute_url() not in page  # the requester may not open it
    assert "of working time left" in page


def test_the_child_page_names_its_parent_to_the_parents_provider_only(
    client, parent, hand_off, agent, it_agent
):
    child = hand_off(parent)

    client.force_login(agent)
    assert parent.title in client.get(child.get_absolute_url()).content.decode()
    client.force_login(it_agent)
    page = client.get(child.get_absolute_url()).content.decode()
    assert parent.title not in page and parent.reference not in page
    assert "a request Finance works on" in page


def test_an_agent_detaches_a_hand_off_from_the_page(client, parent, hand_off, agent):
    child = hand_off(parent)
    client.force_login(agent)

    response = client.post(reverse("tickets:detach", args=[parent.pk]), {"child": child.pk})

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.detached_at is not None


def test_the_it_agent_may_not_detach_from_a_parent_they_do_not_see(
    client, parent, hand_off, it_agent
):
    child = hand_off(parent)
    client.force_login(it_agent)

    response = client.post(reverse("tickets:detach", args=[parent.pk]), {"child": child.pk})

    assert response.status_code == 404


def test_the_hand_offs_read_in_chinese(client, parent, hand_off, agent):
    hand_off(parent)
    client.force_login(agent)

    page = client.get(parent.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "转交" in page.content.decode()
