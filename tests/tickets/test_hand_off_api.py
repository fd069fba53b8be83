"""Hand-offs through the API: POST /api/tickets/{id}/children/ opens one, GET lists them,
POST /api/tickets/{id}/detach/ stops waiting on one; the `kind` and `parent` filters."""

import pytest
from rest_framework.test import APIClient

from agreements.models import Priority
from tests.factories import ServiceFactory
from tests.support.clock import at
from tickets.models import Status, Ticket


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


def test_cancelling_the_parent_through_the_api_cancels_its_hand_off(parent, hand_off, staff):
    child = hand_off(parent)
    parent.refresh_from_db()

    response = api(staff).post(f"/api/tickets/{parent.pk}/cancel/", {"version": parent.version})

    assert response.status_code == 200, response.json()
    assert response.json()["children"][0]["status"] == "cancelled"
    assert response.json()["status"] == "cancelled"
    child.refresh_from_db()
    assert child.status == Status.CANCELLED


def test_the_hand_offs_timeline_names_the_parent_it_was_cancelled_with(
    parent, hand_off, staff, agent
):
    child = hand_off(parent)
    parent.refresh_from_db()
    api(staff).post(f"/api/tickets/{parent.pk}/cancel/", {"version": parent.version})

    events = api(agent).get(f"/api/tickets/{child.pk}/").json()["events"]

    [cancelled] = [event for event in events if event["kind"] == "with_parent"]
    assert cancelled["text"] == parent.reference and cancelled["to_status"] == "cancelled"


def test_a_version_read_before_a_hand_off_was_opened_is_a_409(parent, agent, laptop, it_agreement):
    before = parent.version
    opened = api(agent).post(children(parent), {"service": laptop.pk, "title": "Laptop"})
    assert opened.status_code == 201

    response = api(agent).post(f"/api/tickets/{parent.pk}/acknowledge/", {"version": before})

    assert response.status_code == 409
    assert "changed since you opened it" in response.json()["detail"]


def test_a_version_read_before_a_hand_off_was_detached_is_a_409(parent, hand_off, agent):
    child = hand_off(parent)
    before = api(agent).get(f"/api/tickets/{parent.pk}/").json()["version"]
    api(agent).post(f"/api/tickets/{parent.pk}/detach/", {"child": child.pk})

    response = api(agent).post(f"/api/tickets/{parent.pk}/acknowledge/", {"version": before})

    assert response.status_code == 409


def test_the_api_says_the_parent_waits_on_its_requester_and_on_a_hand_off(
    parent, hand_off, pausing, agent, clock_at
):
    clock_at(at(23, 9, 30))
    hand_off(parent)
    clock_at(at(23, 10))
    version = api(agent).get(f"/api/tickets/{parent.pk}/").json()["version"]
    api(agent).post(f"/api/tickets/{parent.pk}/ask/", {"version": version, "comment": "Which?"})

    body = api(agent).get(f"/api/tickets/{parent.pk}/").json()

    assert body["status"] == "waiting"
    assert [(wait["on"], wait["since"]) for wait in body["waiting_on"]] == [
        ("hand_off", at(23, 9, 30).isoformat()),
        ("requester", at(23, 10).isoformat()),
    ]


def test_a_parent_that_waits_on_nothing_has_an_empty_waiting_on(parent, staff):
    assert api(staff).get(f"/api/tickets/{parent.pk}/").json()["waiting_on"] == []
