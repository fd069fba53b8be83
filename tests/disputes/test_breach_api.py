"""The breaches API shows each breach's dispute: whether it is disputed, the dispute's stage and
outcome, and whether the breach was waived; filtered by them through the breaches' FilterSet
(invalid values a 400), in a number of queries that does not grow with the list.

Four first-response breaches of Finance for Sales (tests/support/disputes.py): one waived by
the customer's head, one waiting on the customer's head, one upheld by the CEO, one undisputed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from agreements.models import Priority
from disputes import services
from disputes.models import Reason
from tests.support.clock import at
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, Target

LIST = "/api/breaches/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def four(breach, head, sales_head, ceo, payroll_extract, file_request):
    """The breaches by name: waived, waiting, upheld, undisputed."""
    for title in ("waiting", "upheld", "undisputed"):
        file_request(payroll_extract, title=title, priority=Priority.P1)
    breach_scan(now=at(23, 11, 2))
    named = {
        b.ticket.title: b
        for b in Breach.objects.filter(target=Target.FIRST_RESPONSE).select_related("ticket")
    }
    named["waived"] = named.pop("Payroll")
    disputes = {
        title: services.dispute_open(
            breach_id=named[title].pk, by=head, reason=Reason.OTHER, text="Not ours."
        )
        for title in ("waived", "waiting", "upheld")
    }
    for title, by, waive in [
        ("waived", sales_head, True),
        ("upheld", sales_head, False),
        ("upheld", ceo, False),
    ]:
        services.dispute_decide(dispute_id=disputes[title].pk, by=by, waive=waive, comment="So.")
    return named


def test_each_breach_says_whether_and_how_it_is_disputed(four, staff):
    rows = {row["request"]["title"]: row for row in api(staff).get(LIST).json()["results"]}

    assert {
        title: (row["disputed"], row["dispute"] and row["dispute"]["stage"], row["waived"])
        for title, row in rows.items()
    } == {
        "Payroll": (True, "decided", True),
        "waiting": (True, "customer", False),
        "upheld": (True, "decided", False),
        "undisputed": (False, None, False),
    }
    assert rows["Payroll"]["dispute"]["outcome"] == "waived"
    assert rows["upheld"]["dispute"]["outcome"] == "upheld"
    assert rows["waiting"]["dispute"]["outcome"] == ""


def test_a_breach_read_alone_carries_its_dispute(four, head):
    breach = four["waiting"]

    body = api(head).get(f"{LIST}{breach.pk}/").json()

    assert body["disputed"] is True and body["waived"] is False
    assert body["dispute"]["id"] == breach.dispute.pk


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"disputed": "true"}, {"Payroll", "waiting", "upheld"}),
        ({"disputed": "no"}, {"undisputed"}),
        ({"dispute_stage": "customer"}, {"waiting"}),
        ({"dispute_stage": "decided"}, {"Payroll", "upheld"}),
        ({"dispute_outcome": "upheld"}, {"upheld"}),
        ({"waived": "true"}, {"Payroll"}),
        ({"waived": "false"}, {"waiting", "upheld", "undisputed"}),
        ({"waived": "false", "disputed": "true"}, {"waiting", "upheld"}),
    ],
)
def test_breaches_are_filtered_by_their_dispute(four, head, query, titles):
    rows = api(head).get(LIST, query).json()["results"]

    assert {row["request"]["title"] for row in rows} == titles


@pytest.mark.parametrize(
    "query", [{"disputed": "maybe"}, {"dispute_stage": "lunch"}, {"waived": "2"}]
)
def test_an_unknown_dispute_filter_value_is_a_400_with_its_message(four, head, query):
    response = api(head).get(LIST, query)

    assert response.status_code == 400
    assert set(query) <= set(response.json())


def test_the_list_costs_the_same_queries_for_one_breach_or_many(four, head):
    client = api(head)
    with CaptureQueriesContext(connection) as for_one:
        one = client.get(LIST, {"request": four["upheld"].ticket_id}).json()
    with CaptureQueriesContext(connection) as for_four:
        every = client.get(LIST).json()

    assert (one["count"], every["count"]) == (1, 4)
    assert len(for_one) == len(for_four) <= 4


def test_an_outsider_learns_nothing_of_the_disputes(four, outsider):
    assert api(outsider).get(LIST, {"disputed": "true"}).json()["count"] == 0
    assert api(outsider).get(f"{LIST}{four['waived'].pk}/").status_code == 404


def test_the_schema_describes_the_dispute_of_a_breach(client, head):
    client.force_login(head)

    schema = client.get("/api/schema/?format=json").json()

    parameters = {p["name"] for p in schema["paths"]["/api/breaches/"]["get"]["parameters"]}
    assert {"disputed", "dispute_stage", "dispute_outcome", "waived"} <= parameters
    breach = schema["components"]["schemas"]["Breach"]["properties"]
    assert {"disputed", "dispute", "waived"} <= set(breach)
