"""Hand-offs through the API: POST /api/tickets/{id}/children/ opens one, GET lists them,
POST /api/tickets/{id}/detach/ stops waiting on one; the `kind` and `parent` filters."""

import pytest
from rest_framework.test import APIClient

from agreements.models import Priority
from tests.factories import ServiceFactory
from tests.support.clock import at
from tickets.models import Ticket


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def parent(agreement, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    return file_request(payroll_extract, priority=Priority.P2)


def children(parent) -> str:
    return f"/api/tickets/{parent.pk}/children/"


def test_an_agent_opens_a_hand_off_through_the_api(parent, agent, laptop, it_agreement, finance):
    response = api(agent).post(
        children(parent), {"service": laptop.pk, "title": "Laptop"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent"] == parent.pk and body["customer"]["code"] == finance.code
    assert body["provider"]["code"] == "IT" and body["requester"] == "agent"


def test_the_parent_lists_its_hand_offs(parent, hand_off, staff):
    child = hand_off(parent)

    listed = api(staff).get(children(parent)).json()
    detail = api(staff).get(f"/api/tickets/{parent.pk}/").json()

    assert [row["id"] for row in listed] == [child.pk]
    assert listed[0]["visible"] is False and listed[0]["status"] == "new"
    assert detail["children"] == listed


def test_a_hand_off_without_an_agreement_is_a_400(parent, agent, it, it_agreement):
    toner = ServiceFactory(provider=it, name="Printer toner")

    response = api(agent).post(children(parent), {"service": toner.pk, "title": "Toner"})

    assert response.status_code == 400
    assert "No agreement in force" in response.json()["detail"]


def test_a_hand_off_body_is_validated(parent, agent, it_agreement):
    unknown = api(agent).post(children(parent), {"service": 1, "title": "A", "customer": "IT"})
    invalid = api(agent).post(children(parent), {"service": "x"})

    assert unknown.status_code == 400 and "customer" in unknown.json()
    assert invalid.status_code == 400 and {"service", "title"} <= set(invalid.json())


def test_the_parents_requester_may_not_open_a_hand_off(parent, staff, laptop, it_agreement):
    response = api(staff).post(children(parent), {"service": laptop.pk, "title": "Laptop"})

    assert response.status_code == 403


def test_someone_who_does_not_see_the_parent_gets_a_404(
    parent, outsider, it_agent, laptop, it_agreement
):
    for person in (outsider, it_agent):
        assert api(person).get(children(parent)).status_code == 404
        body = {"service": laptop.pk, "title": "Laptop"}
        assert api(person).post(children(parent), body).status_code == 404
        assert (
            api(person).post(f"/api/tickets/{parent.pk}/detach/", {"child": 1}).status_code == 404
        )


def test_an_agent_detaches_a_hand_off_through_the_api(parent, hand_off, agent):
    child = hand_off(parent)

    response = api(agent).post(f"/api/tickets/{parent.pk}/detach/", {"child": child.pk})

    assert response.status_code == 200
    assert response.json()["children"][0]["detached_at"] is not None
    again = api(agent).post(f"/api/tickets/{parent.pk}/detach/", {"child": child.pk})
    assert again.status_code == 409


def test_resolving_a_parent_with_an_open_hand_off_is_a_400(parent, hand_off, agent):
    hand_off(parent)
    parent.refresh_from_db()

    response = api(agent).post(f"/api/tickets/{parent.pk}/resolve/", {"version": parent.version})

    assert response.status_code == 400
    assert "hand-offs" in response.json()["detail"]


def test_the_requests_filter_by_kind_of_relationship_and_by_parent(parent, hand_off, agent):
    child = hand_off(parent)

    by_kind = api(agent).get("/api/tickets/", {"kind": "process"}).json()["results"]
    functional = api(agent).get("/api/tickets/", {"kind": "functional"}).json()["results"]
    by_parent = api(agent).get("/api/tickets/", {"parent": parent.pk}).json()["results"]

    assert [row["id"] for row in by_kind] == [child.pk]
    assert [row["id"] for row in functional] == [parent.pk]
    assert [row["id"] for row in by_parent] == [child.pk]
    assert api(agent).get("/api/tickets/", {"kind": "cousins"}).status_code == 400


def test_the_agreement_says_whether_its_requests_pause_for_hand_offs(agreement, head):
    body = api(head).get(f"/api/agreements/{agreement.pk}/").json()

    assert body["pauses_for_hand_offs"] is False
    assert Ticket.objects.count() == 0
