"""Linked requests: "related to" and "duplicate of" between requests the person can both see
(one they cannot see is answered as a missing one), shown on both with status and time left,
and closing as a duplicate (the provider's agents): the request is cancelled with an event
naming the original, its requester is told, its watchers move to the original."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Membership
from outbox.kinds import KINDS
from outbox.models import Message
from tests.factories import DepartmentFactory, MembershipFactory, ServiceFactory, UserFactory
from tickets import conversation, letters, services
from tickets.models import Event, Link, Status, Watcher


@pytest.fixture
def ticket(agreement, payroll_extract, file_request):
    return file_request(payroll_extract, title="October payroll")


@pytest.fixture
def original(agreement, payroll_extract, file_request):
    return file_request(payroll_extract, title="Payroll for October (first ask)")


@pytest.fixture
def other_requester(sales):
    return MembershipFactory(
        department=sales, role=Membership.Role.MEMBER, user__username="colleague"
    ).user


@pytest.fixture
def hidden(agreement, payroll_extract, file_request, other_requester):
    """A request of another member of Sales, which `staff` does not see."""
    return file_request(payroll_extract, requester=other_requester, title="Colleague's payroll")


@pytest.fixture
def unrelated(db, company):
    """A request between two other departments, which neither `staff` nor `agent` sees."""
    legal, it = (DepartmentFactory(code=code, parent=company) for code in ("LEGAL", "IT"))
    person = MembershipFactory(department=legal, role=Membership.Role.MEMBER).user
    return services.ticket_file(
        requester=person,
        service=ServiceFactory(provider=it, name="Laptop"),
        customer=legal,
        title="Secret merger laptop",
    )


def link(client, ticket, other, kind="related"):
    return client.post(reverse("tickets:link", args=[ticket.pk]), {"other": other, "kind": kind})


def test_the_requester_links_two_of_their_requests_and_both_pages_show_it(
    client, ticket, original, staff
):
    client.force_login(staff)

    response = link(client, ticket, original.reference)

    assert response.status_code == 302
    first = client.get(ticket.get_absolute_url()).content.decode()
    second = client.get(original.get_absolute_url()).content.decode()
    assert original.reference in first and "Payroll for October (first ask)" in first
    assert ticket.reference in second and "October payroll" in second
    assert "related to" in first and "related to" in second


def test_a_linked_request_shows_its_status_and_time_left(client, ticket, original, staff):
    client.force_login(staff)
    link(client, ticket, str(original.pk))

    page = client.get(ticket.get_absolute_url()).content.decode()
    table = page[page.index('<table class="links">') :]

    assert "status-new" in table
    assert "left" in table or "Due" in table or "due" in table


def test_a_duplicate_link_reads_duplicated_by_on_the_original(client, ticket, original, staff):
    client.force_login(staff)
    link(client, ticket, original.pk, kind="duplicate")

    page = client.get(original.get_absolute_url()).content.decode()

    assert "duplicated by" in page


@pytest.mark.parametrize("target", ["hidden", "unrelated", "missing"])
def test_a_request_one_cannot_see_is_answered_as_a_missing_one(
    client, request, ticket, staff, target
):
    other_id = 999999 if target == "missing" else request.getfixturevalue(target).pk
    client.force_login(staff)

    response = link(client, ticket, other_id)

    assert response.status_code == 400
    assert f"There is no request #{other_id} that you can see." in response.content.decode()
    assert not Link.objects.exists()


def test_a_link_to_a_request_someone_cannot_see_is_not_shown_to_them(
    client, ticket, hidden, agent, staff
):
    conversation.ticket_link(ticket_id=ticket.pk, other_id=hidden.pk, kind="related", by=agent)
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "Colleague&#x27;s payroll" not in page
    assert hidden.reference not in page


def test_a_request_cannot_be_linked_to_itself(client, ticket, staff):
    client.force_login(staff)

    response = link(client, ticket, ticket.pk)

    assert response.status_code == 400
    assert not Link.objects.exists()


def test_two_requests_are_linked_once(client, ticket, original, staff):
    client.force_login(staff)
    link(client, ticket, original.pk)

    response = link(client, original, ticket.pk)

    assert response.status_code == 400
    assert Link.objects.count() == 1


def test_a_typed_reference_that_is_no_number_is_a_form_error(client, ticket, staff):
    client.force_login(staff)

    response = link(client, ticket, "payroll")

    assert response.status_code == 400
    assert "Type a request number" in response.content.decode()


def test_a_link_is_removed(client, ticket, original, staff):
    client.force_login(staff)
    link(client, ticket, original.pk)

    response = client.post(
        reverse("tickets:unlink", args=[original.pk]), {"link": Link.objects.get().pk}
    )

    assert response.status_code == 302
    assert not Link.objects.exists()


def test_someone_who_only_watches_cannot_link(client, ticket, original, sales):
    sales_head = sales.head
    client.force_login(sales_head)

    response = link(client, ticket, original.pk)

    assert response.status_code == 403
    assert not Link.objects.exists()


# Closing as a duplicate


def close(client, ticket, original_id):
    ticket.refresh_from_db()
    return client.post(
        reverse("tickets:duplicate", args=[ticket.pk]),
        {"original": original_id, "version": ticket.version},
    )


def test_an_agent_closes_a_request_as_a_duplicate(client, ticket, original, agent):
    client.force_login(agent)

    response = close(client, ticket, original.reference)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED and ticket.closed_at is not None
    event = ticket.events.get(kind=Event.Kind.TRANSITION)
    assert event.text == f"Closed as a duplicate of {original.reference}."
    assert Link.objects.get().kind == Link.Kind.DUPLICATE
    assert original.get_absolute_url() in client.get(ticket.get_absolute_url()).content.decode()


def test_the_requester_is_told_when_their_request_is_closed_as_a_duplicate(
    ticket, original, agent, staff
):
    conversation.ticket_close_as_duplicate(
        ticket_id=ticket.pk, original_id=original.pk, by=agent, expected_version=None
    )

    [message] = Message.objects.filter(kind=letters.CLOSED_AS_DUPLICATE)
    assert message.recipient == staff
    assert "closed as a duplicate" in KINDS[letters.CLOSED_AS_DUPLICATE].title(message)


def test_watchers_who_see_the_original_move_to_it(ticket, hidden, agent, staff, sales):
    sales_head = sales.head
    conversation.ticket_watch(ticket_id=ticket.pk, by=sales_head)

    conversation.ticket_close_as_duplicate(
        ticket_id=ticket.pk, original_id=hidden.pk, by=agent, expected_version=None
    )

    assert list(Watcher.objects.filter(ticket=hidden).values_list("person__pk", flat=True)) == [
        sales_head.pk
    ]
    assert not Watcher.objects.filter(ticket=ticket).exists()
    # `staff` cannot see their colleague's request: they are told, not made its watcher.
    assert not Watcher.objects.filter(person=staff).exists()


def test_the_requester_cannot_close_as_a_duplicate(client, ticket, original, staff):
    client.force_login(staff)

    response = close(client, ticket, original.pk)

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_closing_as_a_duplicate_of_a_request_the_agent_cannot_see_is_refused(
    client, ticket, unrelated, agent
):
    client.force_login(agent)

    response = close(client, ticket, unrelated.pk)

    assert response.status_code == 400
    assert f"There is no request #{unrelated.pk} that you can see." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_closing_a_request_that_changed_meanwhile_is_a_conflict(client, ticket, original, agent):
    client.force_login(agent)

    response = client.post(
        reverse("tickets:duplicate", args=[ticket.pk]),
        {"original": original.pk, "version": ticket.version + 5},
    )

    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


@pytest.mark.parametrize("name", ["tickets:link", "tickets:unlink", "tickets:duplicate"])
def test_the_pages_of_someone_elses_request_are_not_found(client, ticket, original, name):
    client.force_login(UserFactory(username="stranger"))

    response = client.post(
        reverse(name, args=[ticket.pk]),
        {"other": original.pk, "kind": "related", "link": 1, "original": original.pk,
         "version": 0},
    )  # fmt: skip

    assert response.status_code == 404
    assert not Link.objects.exists()


def test_links_through_the_api(ticket, original, staff):
    client = APIClient()
    client.force_authenticate(staff)

    created = client.post(
        f"/api/tickets/{ticket.pk}/links/",
        {"other": original.pk, "kind": "related"},
        format="json",
    )
    listed = client.get(f"/api/tickets/{original.pk}/links/")

    assert created.status_code == 201, created.json()
    assert [(row["kind"], row["request"]["id"]) for row in listed.json()] == [
        ("related", ticket.pk)
    ]


def test_the_api_answers_a_request_one_cannot_see_as_missing(ticket, hidden, staff):
    client = APIClient()
    client.force_authenticate(staff)

    response = client.post(
        f"/api/tickets/{ticket.pk}/links/", {"other": hidden.pk, "kind": "related"}, format="json"
    )

    assert response.status_code == 400
    assert "other" in response.json()
