"""Delegates decide (PRODUCT.md, rule 9, with departments Delegation as approvals use it): while
the person asked to decide is away, their delegate in force decides on their behalf, on the
pages and through the API; the trail records who decided and for whom. Nobody decides their own
dispute, delegate or not."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from departments.models import Delegation, Profile
from disputes import services
from disputes.models import Dispute, DisputeStep, Reason
from outbox.models import Message
from outbox.sending import send
from tests.factories import UserFactory
from tickets.models import Event, Ticket

Action = DisputeStep.Action


@pytest.fixture
def dispute(breach, head):
    return services.dispute_open(
        breach_id=breach.pk, by=head, reason=Reason.CUSTOMER, text="We waited on their data."
    )


@pytest.fixture
def deputy(db):
    return UserFactory(username="deputy", first_name="Dana", last_name="Wu")


def delegate(person, to, starts_on=date(2026, 11, 20), ends_on=date(2026, 11, 27)):
    """`person` away this week (time stands at Monday 23 November 2026): `to` decides."""
    return Delegation.objects.create(
        person=person, delegate=to, starts_on=starts_on, ends_on=ends_on
    )


def decide(dispute, by, waive, comment="Looked into it."):
    return services.dispute_decide(dispute_id=dispute.pk, by=by, waive=waive, comment=comment)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_customers_heads_delegate_waives_on_their_behalf(dispute, sales_head, deputy):
    delegate(sales_head, deputy)

    decide(dispute, deputy, waive=True, comment="Fair, while Mei is away.")

    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.WAIVED
    step = dispute.steps.get(action=Action.ACCEPTED)
    assert (step.actor, step.on_behalf_of) == (deputy, sales_head)
    assert Ticket.objects.get(pk=dispute.ticket_id).first_response_waived_at is not None
    event = Event.objects.filter(ticket=dispute.ticket, kind=Event.Kind.DISPUTE).last()
    assert event.actor == deputy and "(for Mei Chen, as their delegate)" in event.text


def test_the_decider_deciding_themselves_is_on_nobodys_behalf(dispute, sales_head, deputy):
    delegate(sales_head, deputy)

    decide(dispute, sales_head, waive=True)

    assert dispute.steps.get(action=Action.ACCEPTED).on_behalf_of is None


def test_a_delegates_rejection_sends_the_dispute_up_as_the_customers_head_would(
    dispute, sales_head, ceo, deputy
):
    delegate(sales_head, deputy)

    decide(dispute, deputy, waive=False, comment="We sent the data on time.")

    dispute.refresh_from_db()
    assert dispute.stage == Dispute.Stage.SUPERIOR and dispute.decider == ceo
    rejected = dispute.steps.get(action=Action.REJECTED)
    assert (rejected.actor, rejected.on_behalf_of, rejected.asked) == (deputy, sales_head, ceo)


def test_the_common_superiors_delegate_decides_for_good(dispute, sales_head, ceo, deputy):
    decide(dispute, sales_head, waive=False)
    delegate(ceo, deputy)

    decide(dispute, deputy, waive=False, comment="The breach stands.")

    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.UPHELD
    upheld = dispute.steps.get(action=Action.UPHELD)
    assert (upheld.actor, upheld.on_behalf_of) == (deputy, ceo)


def test_a_delegation_outside_its_dates_gives_no_right(dispute, sales_head, deputy):
    delegate(sales_head, deputy, starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 4))

    with pytest.raises(PermissionDenied):
        decide(dispute, deputy, waive=True)
    assert not Dispute.objects.to_decide_by(deputy).exists()


def test_a_delegate_of_someone_not_asked_may_not_decide(dispute, ceo, deputy):
    delegate(ceo, deputy)  # the CEO is asked only once the customer's head rejects it

    with pytest.raises(PermissionDenied):
        decide(dispute, deputy, waive=True)


def test_the_provider_head_as_delegate_of_the_customers_head_does_not_decide_their_own(
    dispute, head, sales_head
):
    delegate(sales_head, head)

    with pytest.raises(PermissionDenied):
        decide(dispute, head, waive=True)
    assert not Dispute.objects.to_decide_by(head).exists()
    assert dispute.is_open


def test_the_customers_head_as_delegate_of_the_superior_does_not_decide_twice(
    dispute, sales_head, ceo
):
    decide(dispute, sales_head, waive=False)
    delegate(ceo, sales_head)

    with pytest.raises(PermissionDenied):
        decide(dispute, sales_head, waive=True)
    assert not Dispute.objects.to_decide_by(sales_head).exists()


def test_the_person_a_delegate_decided_for_hears_of_it(dispute, sales_head, deputy, head):
    delegate(sales_head, deputy)

    decide(dispute, deputy, waive=True)

    told = Message.objects.filter(kind="disputes.moved_on").values_list(
        "recipient__username", flat=True
    )
    assert sorted(told) == ["head", "sales_head"]


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "Dana Wu, on behalf of Mei Chen, accepted the dispute"), ("zh-hans", "代表")],
)
def test_the_e_mail_of_a_delegates_decision_says_for_whom(
    dispute, sales_head, deputy, head, language, phrase
):
    Profile.objects.update_or_create(user=head, defaults={"language": language})
    delegate(sales_head, deputy)
    decide(dispute, deputy, waive=True)
    message = Message.objects.get(kind="disputes.moved_on", recipient=head)

    send([message.pk])

    [email] = mail.outbox
    assert phrase in email.body and "Mei Chen" in email.body


# Pages ---------------------------------------------------------------------------------------


def test_the_delegate_finds_the_dispute_to_decide_and_decides_on_the_page(
    client, dispute, sales_head, deputy
):
    delegate(sales_head, deputy)
    client.force_login(deputy)

    listed = client.get(reverse("disputes:list")).text
    page = client.get(dispute.get_absolute_url()).text
    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "waive", "comment": "Fair.", "version": dispute.version},
    )

    assert dispute.get_absolute_url() in listed.split('id="history-heading"')[0]
    assert 'name="decision"' in page
    assert response.status_code == 302
    trail = client.get(dispute.get_absolute_url()).text
    assert "(for Mei Chen, as their delegate)" in trail


def test_the_trail_says_for_whom_in_chinese(client, dispute, sales_head, deputy):
    delegate(sales_head, deputy)
    decide(dispute, deputy, waive=True)
    client.force_login(sales_head)

    page = client.get(dispute.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "Mei Chen的代理人" in page


def test_a_party_as_delegate_sees_no_form_and_is_refused(client, dispute, head, sales_head):
    delegate(sales_head, head)
    client.force_login(head)

    page = client.get(dispute.get_absolute_url()).text
    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "waive", "comment": "Mine.", "version": dispute.version},
    )

    assert 'name="decision"' not in page
    assert response.status_code == 403


def test_once_the_delegation_ends_the_delegate_no_longer_sees_the_dispute(
    client, dispute, sales_head, deputy, clock_at
):
    delegate(sales_head, deputy)
    clock_at(dispute.opened_at.replace(day=30))
    client.force_login(deputy)

    assert client.get(dispute.get_absolute_url()).status_code == 404


# API -----------------------------------------------------------------------------------------


def test_the_delegate_decides_through_the_api(dispute, sales_head, deputy):
    delegate(sales_head, deputy)
    client = api(deputy)

    waiting = client.get("/api/disputes/", {"to_decide": "true"}).json()["results"]
    response = client.post(
        f"/api/disputes/{dispute.pk}/decide/",
        {"decision": "waive", "comment": "Fair.", "version": dispute.version},
        format="json",
    )

    assert [row["id"] for row in waiting] == [dispute.pk]
    assert response.status_code == 200, response.json()
    last = response.json()["steps"][-1]
    assert (last["actor"], last["on_behalf_of"]) == ("deputy", "sales_head")


def test_a_party_as_delegate_is_refused_by_the_api(dispute, head, sales_head):
    delegate(sales_head, head)

    response = api(head).post(
        f"/api/disputes/{dispute.pk}/decide/",
        {"decision": "waive", "comment": "Mine."},
        format="json",
    )

    assert response.status_code == 403
