"""The disputes pages: opened from the request page, decided on the dispute's page, listed for
heads; 404 for whoever may not see a dispute, 403 for whoever sees it but may not act, 409 for a
decision on a dispute that moved on, form errors on the page, in both languages."""

import pytest
from django.urls import reverse

from disputes import services
from disputes.models import Dispute, Reason
from tests.support.clock import at


@pytest.fixture
def dispute(breach, head):
    return services.dispute_open(
        breach_id=breach.pk, by=head, reason=Reason.CUSTOMER, text="We waited on their data."
    )


def open_url(breach):
    return reverse("disputes:open", args=[breach.pk])


def test_the_request_page_offers_the_providers_head_to_dispute_its_breach(client, head, breach):
    client.force_login(head)

    page = client.get(breach.ticket.get_absolute_url()).text

    assert open_url(breach) in page


def test_the_providers_head_opens_a_dispute_from_the_form(client, head, breach, sales_head):
    client.force_login(head)
    assert client.get(open_url(breach)).status_code == 200

    response = client.post(open_url(breach), {"reason": "customer", "text": "No data from them."})

    dispute = Dispute.objects.get(breach=breach)
    assert response.status_code == 302 and response.url == dispute.get_absolute_url()
    assert dispute.decider == sales_head


def test_the_form_shows_what_is_missing(client, head, breach):
    client.force_login(head)

    response = client.post(open_url(breach), {"reason": "customer", "text": ""})

    assert response.status_code == 400
    assert "This field is required." in response.text
    assert not Dispute.objects.exists()


@pytest.mark.parametrize(("person", "status"), [("agent", 403), ("staff", 403), ("outsider", 404)])
def test_only_the_providers_head_may_open_a_dispute(client, breach, request, person, status):
    client.force_login(request.getfixturevalue(person))

    assert client.get(open_url(breach)).status_code == status
    assert client.post(open_url(breach), {"reason": "other", "text": "x"}).status_code == status
    assert not Dispute.objects.exists()


def test_the_customers_head_sees_the_dispute_to_decide_on_the_list(client, sales_head, dispute):
    client.force_login(sales_head)

    page = client.get(reverse("disputes:list")).text

    assert dispute.get_absolute_url() in page
    assert "No dispute waits on your decision." not in page


def test_the_list_says_when_nothing_waits(client, ceo, db):
    client.force_login(ceo)

    page = client.get(reverse("disputes:list")).text

    assert "No dispute waits on your decision." in page and "No dispute yet." in page


def test_the_customers_head_accepts_on_the_page(client, sales_head, dispute):
    client.force_login(sales_head)
    assert 'name="decision"' in client.get(dispute.get_absolute_url()).text

    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "waive", "comment": "Fair.", "version": dispute.version},
    )

    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.outcome == Dispute.Outcome.WAIVED


def test_a_decision_without_a_comment_is_a_form_error(client, sales_head, dispute):
    client.force_login(sales_head)

    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "uphold", "comment": "", "version": dispute.version},
    )

    assert response.status_code == 400
    assert "This field is required." in response.text
    dispute.refresh_from_db()
    assert dispute.is_open


def test_a_second_decision_on_the_same_version_is_a_conflict(client, sales_head, dispute):
    client.force_login(sales_head)
    form = {"decision": "uphold", "comment": "No.", "version": dispute.version}
    url = reverse("disputes:decide", args=[dispute.pk])
    assert client.post(url, form).status_code == 302

    # Sent up: the customer's head is no longer asked; their second click changes nothing.
    assert client.post(url, {**form, "decision": "waive"}).status_code == 403
    dispute.refresh_from_db()
    assert dispute.stage == Dispute.Stage.SUPERIOR


def test_deciding_a_decided_dispute_is_a_conflict(client, sales_head, dispute):
    services.dispute_decide(dispute_id=dispute.pk, by=sales_head, waive=True, comment="Ok.")
    client.force_login(sales_head)

    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "uphold", "comment": "No.", "version": dispute.version},
    )

    assert response.status_code == 409
    assert "already decided" in response.text


def test_a_stale_version_is_a_conflict(client, sales_head, ceo, dispute):
    old = dispute.version
    services.dispute_decide(dispute_id=dispute.pk, by=sales_head, waive=False, comment="No.")
    client.force_login(ceo)

    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "waive", "comment": "Fine.", "version": old},
    )

    assert response.status_code == 409
    dispute.refresh_from_db()
    assert dispute.is_open


def test_deciding_after_the_window_passed_says_that_it_went_up(client, sales_head, ceo, dispute):
    services.disputes_send_up_lapsed(now=at(25, 12))
    client.force_login(sales_head)

    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "waive", "comment": "Fair.", "version": dispute.version},
    )

    assert response.status_code == 409
    assert "so it went up to Wei Zhang, the nearest head above both departments" in response.text
    dispute.refresh_from_db()
    assert dispute.decider == ceo


@pytest.mark.parametrize(("person", "status"), [("agent", 403), ("outsider", 404)])
def test_only_the_person_asked_may_decide(client, dispute, request, person, status):
    client.force_login(request.getfixturevalue(person))

    response = client.post(
        reverse("disputes:decide", args=[dispute.pk]),
        {"decision": "waive", "comment": "Me.", "version": dispute.version},
    )

    assert response.status_code == status


def test_an_outsider_sees_no_dispute(client, outsider, dispute):
    client.force_login(outsider)

    assert client.get(dispute.get_absolute_url()).status_code == 404
    assert dispute.get_absolute_url() not in client.get(reverse("disputes:list")).text


def test_the_common_superior_sees_the_dispute_without_seeing_the_request(
    client, sales_head, ceo, dispute
):
    services.dispute_decide(dispute_id=dispute.pk, by=sales_head, waive=False, comment="No.")
    client.force_login(ceo)

    page = client.get(dispute.get_absolute_url())

    assert page.status_code == 200 and "We waited on their data." in page.text
    assert 'name="decision"' in page.text


def test_the_dispute_page_reads_in_chinese(client, sales_head, dispute):
    client.force_login(sales_head)

    page = client.get(dispute.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").text

    assert "申诉" in page


def test_the_admin_shows_disputes_read_only(client, admin_user, dispute):
    client.force_login(admin_user)

    change = client.get(reverse("admin:disputes_dispute_change", args=[dispute.pk]))

    assert change.status_code == 200
    assert client.get(reverse("admin:disputes_dispute_add")).status_code == 403
