"""My kudos: every signed-in person reads the thanks they received and those they gave, newest
first, paginated, each with its request (linked only while they may see it), on a page of their
own and through GET /api/kudos/; nobody reads another person's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from departments.models import Membership
from tickets.models import Kudos
from tickets.my_kudos import KUDOS_PER_PAGE

PAGE = reverse("tickets:my_kudos")


def api(person) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=person)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def thank(agreement, payroll_extract, file_request, finance):
    """Record the thanks of `by` to `agent` for a new request of `staff` (as tickets.kudos would
    once it is confirmed), `minutes_ago` minutes ago."""

    def thank(by, agent, message, *, minutes_ago=0, title="October payroll"):
        ticket = file_request(payroll_extract, title=title)
        return Kudos.objects.create(
            ticket=ticket, given_by=by, agent=agent, department=finance, message=message,
            given_at=timezone.now() - timedelta(minutes=minutes_ago),
        )  # fmt: skip

    return thank


def test_the_page_lists_the_kudos_received_and_given_newest_first(thank, staff, agent, client):
    thank(staff, agent, "Older thanks", minutes_ago=10)
    thank(staff, agent, "Newer thanks", minutes_ago=1)
    client.force_login(agent)

    page = client.get(PAGE).content.decode()

    assert page.index("Newer thanks") < page.index("Older thanks")
    assert "From Sam Li" in page


def test_the_giver_sees_what_they_gave_with_the_request_linked(thank, staff, agent, client):
    kudos = thank(staff, agent, "Quick and clear")
    client.force_login(staff)

    page = client.get(PAGE).content.decode()

    assert "To Alex Huang (Finance)" in page and "Quick and clear" in page
    assert f'href="{kudos.ticket.get_absolute_url()}"' in page


def test_a_request_one_can_no_longer_see_is_not_linked(thank, staff, agent, client):
    kudos = thank(staff, agent, "Thanks")
    Membership.objects.filter(user=agent).delete()  # moved out of Finance
    client.force_login(agent)

    page = client.get(PAGE).content.decode()

    assert "Thanks" in page and kudos.ticket.reference in page
    assert kudos.ticket.get_absolute_url() not in page and "October payroll" not in page


def test_nobody_sees_someone_elses_kudos(thank, staff, agent, head, outsider, client):
    thank(staff, agent, "For Alex only")
    for person in (head, outsider):
        client.force_login(person)
        page = client.get(PAGE)
        assert page.status_code == 200
        assert "For Alex only" not in page.content.decode()
        assert "No kudos yet." in page.content.decode()
        assert api(person).get("/api/kudos/").json()["results"] == []


def test_the_page_narrows_to_received_or_given(thank, staff, agent, head, client):
    thank(staff, agent, "Agent was thanked")
    thank(agent, head, "Agent thanked the head")
    client.force_login(agent)

    received = client.get(PAGE, {"direction": "received"}).content.decode()
    given = client.get(PAGE, {"direction": "given"}).content.decode()

    assert "Agent was thanked" in received and "Agent thanked the head" not in received
    assert "Agent thanked the head" in given and "Agent was thanked" not in given


def test_bad_query_parameters_are_a_400_with_the_field(agent, client):
    client.force_login(agent)

    for query in ({"direction": "everything"}, {"page": "0"}, {"page": "x"}):
        response = client.get(PAGE, query)
        assert response.status_code == 400, query
        assert 'role="alert"' in response.content.decode()


def test_the_page_is_paginated_in_a_fixed_number_of_queries(
    thank, staff, agent, client, django_assert_max_num_queries
):
    for number in range(KUDOS_PER_PAGE + 3):
        thank(staff, agent, f"Thanks number {number}", minutes_ago=number)
    client.force_login(agent)

    with django_assert_max_num_queries(12):
        first = client.get(PAGE).content.decode()
    second = client.get(PAGE, {"page": 2}).content.decode()

    assert "Thanks number 0<" in first and f"Thanks number {KUDOS_PER_PAGE}<" not in first
    assert f"Thanks number {KUDOS_PER_PAGE}<" in second


def test_the_page_is_reachable_from_the_header_and_in_chinese(outsider, client):
    client.force_login(outsider)
    assert f'href="{PAGE}"' in client.get(reverse("tickets:mine")).content.decode()

    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>我的感谢</h1>" in page and "还没有感谢" in page


def test_the_api_lists_the_callers_kudos_with_the_request(thank, staff, agent):
    kudos = thank(staff, agent, "Quick and clear")

    [mine] = api(agent).get("/api/kudos/").json()["results"]

    assert (mine["direction"], mine["message"], mine["given_by"]) == (
        "received", "Quick and clear", "staff",
    )  # fmt: skip
    assert mine["request"] == {
        "id": kudos.ticket_id, "number": kudos.ticket.reference, "title": "October payroll",
    }  # fmt: skip
    [given] = api(staff).get("/api/kudos/", {"direction": "given"}).json()["results"]
    assert given["direction"] == "given"
    assert api(staff).get("/api/kudos/", {"direction": "received"}).json()["results"] == []


def test_the_api_hides_a_request_the_caller_may_no_longer_see(thank, staff, agent):
    thank(staff, agent, "Thanks")
    Membership.objects.filter(user=agent).delete()

    [mine] = api(agent).get("/api/kudos/").json()["results"]

    assert mine["request"] is None and mine["message"] == "Thanks"


def test_the_api_refuses_a_bad_filter_and_strangers(agent):
    answer = api(agent).get("/api/kudos/", {"direction": "everything"})
    assert answer.status_code == 400 and "direction" in answer.json()

    assert APIClient().get("/api/kudos/").status_code in (401, 403)


def test_the_api_reads_a_page_in_a_fixed_number_of_queries(
    thank, staff, agent, django_assert_max_num_queries
):
    for number in range(8):
        thank(staff, agent, f"Thanks {number}")
    client = api(agent)

    with django_assert_max_num_queries(8):
        assert len(client.get("/api/kudos/").json()["results"]) == 8
