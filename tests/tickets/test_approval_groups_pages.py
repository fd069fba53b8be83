"""Parallel approval groups through every door: the approvals page, the request page, the
e-mailed links and /api/approvals/, with delegation, and nobody else let in."""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from agreements.models import ApprovalStep, GroupRule
from departments.models import Delegation
from tests.factories import UserFactory
from tickets import services
from tickets.approval_links import approval_link_path
from tickets.models import Approval, Status


@pytest.fixture
def controller(db):
    return UserFactory(username="controller", first_name="Mei", last_name="Zhao")


@pytest.fixture
def group_request(agreement, purchase, staff, sales, head, controller):
    """A purchase whose second stage is the CFO or the controller (any of); the head of
    Finance has approved the first."""
    ApprovalStep.objects.filter(service=purchase, position=2).update(group_rule=GroupRule.ANY)
    ApprovalStep.objects.create(
        service=purchase,
        position=3,
        approver=ApprovalStep.Approver.PERSON,
        person=controller,
        with_previous=True,
        group_rule=GroupRule.ANY,
    )
    ticket = services.ticket_file(requester=staff, service=purchase, customer=sales, title="Desk")
    first = ticket.approvals.get(position=1)
    services.approval_decide(approval_id=first.pk, by=head, approve=True)
    return ticket


def api(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def test_each_approver_of_the_group_finds_their_own_step_on_the_approvals_page(
    client, group_request, cfo, controller
):
    for person, position in ((cfo, 2), (controller, 3)):
        client.force_login(person)
        page = client.get(reverse("tickets:approvals"))
        assert [a.position for a in page.context["page"].object_list] == [position]


def test_the_request_page_offers_each_approver_the_decision_on_their_own_step(
    client, group_request, controller
):
    client.force_login(controller)

    page = client.get(group_request.get_absolute_url())

    assert page.context["current_approval"].position == 3
    assert "any of group 2" in page.content.decode()


def test_the_first_approval_of_an_any_of_group_through_the_api_closes_the_others(
    group_request, controller
):
    [mine] = api(controller).get("/api/approvals/").json()["results"]

    response = api(controller).post(f"/api/approvals/{mine['id']}/approve/", format="json")

    assert response.status_code == 200
    assert response.json()["status"] == Status.APPROVED
    steps = {a["position"]: a for a in response.json()["approvals"]}
    assert (steps[2]["decision"], steps[2]["stage"], steps[2]["group_rule"]) == (
        "closed",
        2,
        "any",
    )


def test_deciding_a_closed_step_through_the_api_answers_409(group_request, cfo, controller):
    services.approval_decide(
        approval_id=group_request.approvals.get(position=3).pk, by=controller, approve=True
    )
    closed = group_request.approvals.get(position=2)

    response = api(cfo).post(f"/api/approvals/{closed.pk}/approve/", format="json")

    assert response.status_code == 409
    assert "no longer needed" in response.json()["detail"]


def test_the_link_of_a_closed_step_says_it_is_no_longer_needed(
    client, group_request, cfo, controller
):
    link = approval_link_path(group_request.approvals.get(position=2))
    services.approval_decide(
        approval_id=group_request.approvals.get(position=3).pk, by=controller, approve=True
    )
    client.force_login(cfo)

    response = client.post(link, {"decision": "approve"})

    assert response.status_code == 410
    assert "no longer needed" in response.content.decode()
    assert group_request.approvals.get(position=2).decision == Approval.Decision.CLOSED


def test_a_delegate_decides_for_one_approver_of_the_group(group_request, controller):
    deputy = UserFactory(username="deputy")
    Delegation.objects.create(
        person=controller, delegate=deputy, starts_on=date(2026, 11, 23), ends_on=date(2026, 11, 27)
    )
    [theirs] = api(deputy).get("/api/approvals/").json()["results"]

    response = api(deputy).post(f"/api/approvals/{theirs['id']}/approve/", format="json")

    assert theirs["position"] == 3
    assert response.status_code == 200


def test_an_approver_of_the_group_cannot_decide_another_approvers_step(
    group_request, cfo, controller
):
    others = group_request.approvals.get(position=3)

    response = api(cfo).post(f"/api/approvals/{others.pk}/approve/", format="json")

    assert response.status_code == 403
    assert group_request.approvals.get(position=3).decision == ""


def test_an_outsider_sees_no_step_of_the_group(client, group_request, outsider):
    step = group_request.approvals.get(position=2)

    assert api(outsider).get("/api/approvals/").json()["results"] == []
    assert api(outsider).post(f"/api/approvals/{step.pk}/approve/").status_code == 404
    client.force_login(outsider)
    assert client.get(group_request.get_absolute_url()).status_code == 404
