"""Watching a request: anyone who can see it may watch it from its page (or the API), and is
then told of its public comments and status changes; of internal notes only when they are the
provider's agents or head; never once they can no longer see it. `staff` of Sales files the
payroll extract with Finance, whose `agent` works it and whose `head` leads."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Membership
from outbox.kinds import KINDS
from outbox.models import Message
from tests.factories import UserFactory
from tickets import conversation, letters, services
from tickets.models import Watcher
from tickets.workflow import Action


@pytest.fixture
def ticket(agreement, payroll_extract, file_request):
    return file_request(payroll_extract)


@pytest.fixture
def sales_head(agreement, sales):
    """The head of Sales (who signed the agreement) sees the requests Sales files."""
    head = sales.head
    head.username = "saleshead"
    head.save()
    return head


def told(kind: str) -> list[str]:
    return sorted(m.recipient.username for m in Message.objects.filter(kind=kind))


def test_someone_who_sees_the_request_starts_and_stops_watching_from_its_page(
    client, ticket, sales_head
):
    client.force_login(sales_head)

    client.post(reverse("tickets:watch", args=[ticket.pk]), {"watch": "on"})
    watching_page = client.get(ticket.get_absolute_url()).content.decode()
    client.post(reverse("tickets:watch", args=[ticket.pk]), {})

    assert "Stop watching" in watching_page
    assert not Watcher.objects.exists()


def test_the_watch_button_reads_watch_for_someone_who_does_not_watch(client, ticket, staff):
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert ">Watch</button>" in page


@pytest.mark.parametrize("person", ["outsider", "hr"])
def test_someone_who_cannot_see_the_request_cannot_watch_it(client, request, ticket, person):
    client.force_login(request.getfixturevalue(person))

    response = client.post(reverse("tickets:watch", args=[ticket.pk]), {"watch": "on"})

    assert response.status_code == 404
    assert not Watcher.objects.exists()


def test_watchers_are_told_of_a_public_comment_but_not_its_author(ticket, staff, sales_head, head):
    for person in (sales_head, head, staff):
        conversation.ticket_watch(ticket_id=ticket.pk, by=person)

    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="Any news?")

    assert told(letters.COMMENTED) == ["head", "saleshead"]


def test_an_internal_note_reaches_only_the_watchers_of_the_provider(
    ticket, agent, head, sales_head, staff
):
    for person in (sales_head, head, staff):
        conversation.ticket_watch(ticket_id=ticket.pk, by=person)

    conversation.comment_post(ticket_id=ticket.pk, by=agent, text="Checking", internal=True)

    assert told(letters.COMMENTED) == ["head"]


def test_watchers_are_told_of_a_status_change(ticket, agent, sales_head):
    conversation.ticket_watch(ticket_id=ticket.pk, by=sales_head)

    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=None
    )

    [message] = Message.objects.filter(kind=letters.STATUS_CHANGED)
    assert message.recipient == sales_head
    assert message.about.to_status == "acknowledged"


def test_a_watcher_already_told_of_the_new_status_is_not_told_twice(ticket, agent, staff):
    conversation.ticket_watch(ticket_id=ticket.pk, by=staff)

    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.RESOLVE, expected_version=None
    )

    assert told(letters.RESOLVED) == ["staff"]
    assert told(letters.STATUS_CHANGED) == []


def test_a_watcher_who_left_the_department_is_no_longer_told(ticket, staff, sales, sales_head):
    conversation.ticket_watch(ticket_id=ticket.pk, by=sales_head)
    Membership.objects.filter(user=sales_head, department=sales).delete()

    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="Any news?")

    assert told(letters.COMMENTED) == []


def test_a_message_to_a_watcher_who_can_no_longer_see_the_request_is_withdrawn(
    ticket, staff, sales, sales_head
):
    conversation.ticket_watch(ticket_id=ticket.pk, by=sales_head)
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="Any news?")
    [message] = Message.objects.filter(kind=letters.COMMENTED)

    Membership.objects.filter(user=sales_head, department=sales).delete()

    assert KINDS[letters.COMMENTED].withdrawn(message) == Message.CancelReason.NOT_VISIBLE


def test_the_watchers_message_names_the_request(ticket, staff, head):
    conversation.ticket_watch(ticket_id=ticket.pk, by=head)
    conversation.comment_post(ticket_id=ticket.pk, by=staff, text="Please hurry <b>now</b>")
    [message] = Message.objects.filter(kind=letters.COMMENTED)
    kind = KINDS[letters.COMMENTED]

    assert kind.title(message) == f"[{ticket.reference}] October payroll: new comment"


def test_watching_through_the_api(ticket, sales_head):
    client = APIClient()
    client.force_authenticate(sales_head)

    started = client.post(f"/api/tickets/{ticket.pk}/watch/", {"watch": True}, format="json")
    stopped = client.post(f"/api/tickets/{ticket.pk}/watch/", {"watch": False}, format="json")

    assert started.status_code == stopped.status_code == 200
    assert (started.json(), stopped.json()) == ({"watching": True}, {"watching": False})
    assert not Watcher.objects.exists()


def test_someone_who_cannot_see_the_request_cannot_watch_it_through_the_api(ticket):
    client = APIClient()
    client.force_authenticate(UserFactory(username="stranger"))

    response = client.post(f"/api/tickets/{ticket.pk}/watch/", {"watch": True}, format="json")

    assert response.status_code == 404
    assert not Watcher.objects.exists()
