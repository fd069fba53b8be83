"""The disputes API: list, open, decide with the pages' permissions (404 for what one may not
see, 403 for what one may not do, 409 for what moved on, 400 with field messages)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from disputes import services
from disputes.models import Dispute, Reason
from tests.support.clock import at

LIST = "/api/disputes/"


@pytest.fixture
def dispute(breach, head):
    return services.dispute_open(
        breach_id=breach.pk, by=head, reason=Reason.PRIORITY, text="Filed as P1, was P3."
    )


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def decide_url(dispute):
    return reverse("api:dispute-decide", args=[dispute.pk])


def test_the_providers_head_opens_a_dispute(head, breach, sales_head):
    client = api(head)

    response = client.post(
        LIST, {"breach": breach.pk, "reason": "customer", "text": "Waited."}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["decider"] == "sales_head"
    assert response.json()["stage"] == "customer"


def test_an_invalid_reason_is_a_field_error(head, breach):
    response = api(head).post(
        LIST, {"breach": breach.pk, "reason": "luck", "text": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()


@pytest.mark.parametrize(("person", "status"), [("agent", 403), ("outsider", 404)])
def test_only_the_providers_head_opens_one(breach, request, person, status):
    client = api(request.getfixturevalue(person))

    response = client.post(
        LIST, {"breach": breach.pk, "reason": "other", "text": "x"}, format="json"
    )

    assert response.status_code == status
    assert not Dispute.objects.exists()


def test_a_breach_disputed_twice_is_a_conflict(head, dispute):
    response = api(head).post(
        LIST, {"breach": dispute.breach_id, "reason": "other", "text": "x"}, format="json"
    )

    assert response.status_code == 409


def test_the_list_filters_what_waits_on_me(sales_head, ceo, dispute):
    waiting = api(sales_head).get(LIST, {"to_decide": "true"}).json()
    assert [row["id"] for row in waiting["results"]] == [dispute.pk]
    assert api(ceo).get(LIST, {"to_decide": "true"}).json()["results"] == []


def test_an_outsider_lists_no_dispute(outsider, dispute):
    assert api(outsider).get(LIST).json()["results"] == []
    assert (
        api(outsider)
        .post(decide_url(dispute), {"decision": "waive", "comment": "x"}, format="json")
        .status_code
        == 404
    )


def test_the_customers_head_rejects_and_the_common_superior_waives(sales_head, ceo, dispute):
    rejected = api(sales_head).post(
        decide_url(dispute), {"decision": "uphold", "comment": "No."}, format="json"
    )
    assert rejected.status_code == 200 and rejected.json()["decider"] == "ceo"

    waived = api(ceo).post(
        decide_url(dispute),
        {"decision": "waive", "comment": "Fair.", "version": rejected.json()["version"]},
        format="json",
    )

    assert waived.status_code == 200
    assert waived.json()["outcome"] == "waived"
    assert [step["action"] for step in waived.json()["steps"]] == ["opened", "rejected", "waived"]


def test_a_decision_twice_is_a_conflict(sales_head, dispute):
    client = api(sales_head)
    body = {"decision": "waive", "comment": "Ok.", "version": dispute.version}

    assert client.post(decide_url(dispute), body, format="json").status_code == 200
    assert client.post(decide_url(dispute), body, format="json").status_code == 409


def test_deciding_after_the_window_passed_is_a_conflict_that_says_it_went_up(
    sales_head, ceo, dispute
):
    services.disputes_send_up_lapsed(now=at(25, 12))

    response = api(sales_head).post(
        decide_url(dispute), {"decision": "waive", "comment": "Fair."}, format="json"
    )

    assert response.status_code == 409
    assert "went up to Wei Zhang" in response.json()["detail"]


def test_someone_who_sees_the_dispute_but_is_not_asked_is_refused(head, dispute):
    response = api(head).post(
        decide_url(dispute), {"decision": "waive", "comment": "Mine."}, format="json"
    )

    assert response.status_code == 403


def test_the_schema_describes_the_disputes_endpoints(client, head):
    client.force_login(head)

    schema = client.get("/api/schema/?format=json").json()

    assert "/api/disputes/" in schema["paths"]
    assert "/api/disputes/{id}/decide/" in schema["paths"]
