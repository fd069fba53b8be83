"""Bulk actions on the queue: each ticked request goes through the same service and permission
rules as the single action; a row that may not be acted on, or that changed, is reported and the
others still apply; the number of rows is bounded."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import Priority
from tests.factories import ServiceFactory
from tickets import services
from tickets.models import Event, Status
from tickets.queue_forms import BULK_LIMIT
from tickets.workflow import Action


def ticked(*tickets) -> list[str]:
    """The check boxes of these rows as the queue showed them."""
    values = []
    for ticket in tickets:
        ticket.refresh_from_db()
        values.append(f"{ticket.pk}:{ticket.version}")
    return values


def bulk(client, rows, action, query="", **data):
    return client.post(
        reverse("tickets:queue_bulk") + query, {"tickets": rows, "action": action, **data}
    )


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def three(agreement, payroll_extract, file_request):
    return [file_request(payroll_extract, title=f"Extract {n}") for n in range(3)]


def test_the_queue_offers_a_check_box_per_row_and_the_bulk_form(client, agent, three):
    client.force_login(agent)

    page = client.get(reverse("tickets:queue")).content.decode()

    for ticket in three:
        assert f'value="{ticket.pk}:{ticket.version}" form="queue-bulk"' in page
    assert 'id="queue-bulk"' in page
    assert "data-select-all" in page
    assert "js/queue_tools" in page


def test_bulk_assign_to_me_assigns_every_request_ticked(client, agent, three):
    client.force_login(agent)

    response = bulk(client, ticked(*three), "assign", "?status=open", assignee="me")

    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:queue") + "?status=open"
    assert said(response) == ["3 requests updated."]
    for ticket in three:
        ticket.refresh_from_db()
        assert ticket.assignee == agent


def test_bulk_assign_to_a_colleague(client, agent, head, three):
    client.force_login(agent)

    bulk(client, ticked(*three[:2]), "assign", assignee=head.pk)

    assert [ticket.assignee for ticket in _fresh(three)] == [head, head, None]


def test_a_row_that_changed_meanwhile_is_reported_and_the_others_still_apply(
    client, agent, head, three
):
    rows = ticked(*three)
    services.ticket_assign(ticket_id=three[1].pk, by=head, assignee=head, expected_version=0)
    client.force_login(agent)

    response = bulk(client, rows, "assign", assignee="me")

    assert said(response) == [
        "2 requests updated.",
        f"FIN-{three[1].pk} not updated: This request changed since you opened it. "
        "Reload the page and try again.",
    ]
    assert [ticket.assignee for ticket in _fresh(three)] == [agent, head, agent]


def test_a_request_the_person_may_not_see_is_reported_as_not_found(
    client, agent, three, human_resources, file_request
):
    elsewhere = file_request(ServiceFactory(provider=human_resources), title="Secret")
    client.force_login(agent)

    response = bulk(client, ticked(three[0], elsewhere), "priority", priority=Priority.P1)

    assert said(response) == [
        "1 request updated.",
        f"#{elsewhere.pk} not updated: No such request.",
    ]
    elsewhere.refresh_from_db()
    assert elsewhere.priority == Priority.P3
    assert "Secret" not in " ".join(said(response))


def test_a_request_seen_but_not_ones_to_act_on_is_reported_with_the_reason(
    client, staff, agent, three
):
    client.force_login(staff)

    response = bulk(client, ticked(*three[:2]), "priority", priority=Priority.P1)

    reason = "Only the provider department's agents change the priority."
    assert said(response) == [f"FIN-{ticket.pk} not updated: {reason}" for ticket in three[:2]]
    assert {ticket.priority for ticket in _fresh(three)} == {Priority.P2}


def test_bulk_priority_recomputes_each_request(client, agent, three):
    client.force_login(agent)

    bulk(client, ticked(*three), "priority", priority=Priority.P1)

    for ticket in _fresh(three):
        assert ticket.priority == Priority.P1
        assert ticket.events.filter(kind=Event.Kind.PRIORITY).count() == 1


def test_bulk_acknowledge_takes_the_unassigned_and_reports_those_already_acknowledged(
    client, agent, head, three
):
    services.ticket_transition(
        ticket_id=three[0].pk, by=head, action=Action.ACKNOWLEDGE, expected_version=0
    )
    client.force_login(agent)

    response = bulk(client, ticked(*three), "acknowledge")

    assert said(response)[0] == "2 requests updated."
    assert f"FIN-{three[0].pk} not updated: " in said(response)[1]
    tickets = _fresh(three)
    assert {ticket.status for ticket in tickets} == {Status.ACKNOWLEDGED}
    assert [ticket.assignee for ticket in tickets] == [head, agent, agent]


def test_more_requests_than_the_limit_are_refused_and_nothing_changes(client, agent, three):
    client.force_login(agent)
    rows = [f"{pk}:0" for pk in range(1, BULK_LIMIT + 2)]

    response = bulk(client, rows, "assign", assignee="me")

    assert response.status_code == 400
    assert f"Act on at most {BULK_LIMIT} requests at once." in response.content.decode()
    assert all(ticket.assignee is None for ticket in _fresh(three))


@pytest.mark.parametrize(
    "rows",
    [[], ["abc"], ["1:2:3"], ["-1:0"], ["0:0"], ["99999999999999999999:0"], [":"]],
)
def test_malformed_rows_are_refused_without_an_error(client, agent, three, rows):
    client.force_login(agent)

    response = bulk(client, rows, "acknowledge")

    assert response.status_code == 400
    assert all(ticket.status == Status.NEW for ticket in _fresh(three))


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("assign", {"assignee": ""}, "Choose who gets the requests."),
        ("assign", {"assignee": "123456789"}, "Choose a colleague of the department."),
        ("priority", {"priority": ""}, "Choose the new priority."),
        ("delete", {}, "Select a valid choice."),
    ],
)
def test_an_incomplete_bulk_action_is_refused(client, agent, three, action, data, message):
    client.force_login(agent)

    response = bulk(client, ticked(*three), action, **data)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_repeated_row_is_acted_on_once(client, agent, three):
    client.force_login(agent)

    response = bulk(client, ticked(three[0]) * 2, "acknowledge")

    assert said(response) == ["1 request updated."]


def test_an_outsider_changes_nothing_in_bulk(client, outsider, three):
    client.force_login(outsider)

    response = bulk(client, ticked(*three), "acknowledge")

    assert response.status_code == 302
    assert len(said(response)) == 3
    assert all("No such request." in message for message in said(response))
    assert all(ticket.status == Status.NEW for ticket in _fresh(three))


def _fresh(tickets):
    for ticket in tickets:
        ticket.refresh_from_db()
    return tickets


# The API ---------------------------------------------------------------------------------------

BULK_API = "/api/tickets/bulk/"


def api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person)
    return client


def test_the_api_reports_what_became_of_each_request(agent, head, three, file_request):
    services.ticket_assign(ticket_id=three[1].pk, by=head, assignee=head, expected_version=0)
    rows = [{"id": ticket.pk, "version": 0} for ticket in three] + [{"id": 99999999, "version": 0}]

    response = api(agent).post(
        BULK_API, {"tickets": rows, "action": "assign", "assignee": "agent"}, format="json"
    )

    assert response.status_code == 200
    assert [(row["id"], row["done"]) for row in response.json()] == [
        (three[0].pk, True),
        (three[1].pk, False),
        (three[2].pk, True),
        (99999999, False),
    ]
    assert response.json()[3] == {
        "id": 99999999, "reference": "", "done": False, "detail": "No such request."
    }  # fmt: skip
    assert [ticket.assignee for ticket in _fresh(three)] == [agent, head, agent]


@pytest.mark.parametrize(
    "body",
    [
        {"tickets": [], "action": "acknowledge"},
        {"tickets": [{"id": n, "version": 0} for n in range(1, BULK_LIMIT + 2)],
         "action": "acknowledge"},
        {"tickets": [{"id": "x", "version": 0}], "action": "acknowledge"},
        {"tickets": [{"id": 1, "version": 0}], "action": "assign"},
        {"tickets": [{"id": 1, "version": 0}], "action": "priority"},
        {"tickets": [{"id": 1, "version": 0}], "action": "delete"},
        {"tickets": [{"id": 1, "version": 0, "extra": 1}], "action": "acknowledge"},
    ],
)  # fmt: skip
def test_the_api_refuses_an_incomplete_or_oversized_bulk_action(agent, three, body):
    response = api(agent).post(BULK_API, body, format="json")

    assert response.status_code == 400
    assert all(ticket.status == Status.NEW for ticket in _fresh(three))


def test_the_api_takes_a_request_for_oneself(agent, three):
    response = api(agent).post(f"/api/tickets/{three[0].pk}/take/", {"version": 0}, format="json")

    assert response.status_code == 200
    assert response.json()["assignee"] == "agent"


def test_the_api_refuses_to_take_a_request_that_changed(agent, head, three):
    services.ticket_assign(ticket_id=three[0].pk, by=head, assignee=head, expected_version=0)

    response = api(agent).post(f"/api/tickets/{three[0].pk}/take/", {"version": 0}, format="json")

    assert response.status_code == 409
    assert _fresh(three)[0].assignee == head


def test_the_requester_cannot_take_their_own_request(staff, three):
    response = api(staff).post(f"/api/tickets/{three[0].pk}/take/", {"version": 0}, format="json")

    assert response.status_code == 403
    assert _fresh(three)[0].assignee is None
