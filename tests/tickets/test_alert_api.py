"""Breaches, warnings and escalations through the API: each visible exactly as its request, the
lists filtered by department, target, period and request within bounds, newest first. The week
of tests/support/dashboards.py: the scan at Monday 16:00 flags both targets of F (filed by
`staff` for Sales with Finance) and warns of two; C's first response (Monday 15:00) and D's
second resolution (Tuesday 17:00), both late, were recorded as breached when met."""

import pytest
from rest_framework.test import APIClient

from tests.support.clock import NOW
from tickets.models import Breach, Escalation, TargetWarning


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def escalated(finance_week, company):
    """F's resolution breach told to the head of the Executive Office (level 2)."""
    breach = Breach.objects.get(ticket=finance_week["F"], target="resolution")
    return Escalation.objects.create(breach=breach, level=2, department=company, escalated_at=NOW)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("outsider", False),
        ("hr", False),
        ("staff", True),  # the requester
        ("agent", True),
        ("head", True),
        ("admin_user", True),
    ],
)
def test_alerts_are_visible_exactly_as_their_request(request, escalated, who, sees):
    client = api(request.getfixturevalue(who))
    breach = escalated.breach
    warning = TargetWarning.objects.filter(ticket=breach.ticket).first()
    assert client.get("/api/breaches/").json()["count"] == (4 if sees else 0)
    assert client.get("/api/escalations/").json()["count"] == (1 if sees else 0)
    assert client.get("/api/warnings/").json()["count"] == (
        TargetWarning.objects.count() if sees else 0
    )
    expected = 200 if sees else 404
    assert client.get(f"/api/breaches/{breach.pk}/").status_code == expected
    assert client.get(f"/api/escalations/{escalated.pk}/").status_code == expected
    if warning is not None:
        assert client.get(f"/api/warnings/{warning.pk}/").status_code == expected


def test_a_breach_carries_its_request_and_its_escalations(escalated, head):
    body = api(head).get(f"/api/breaches/{escalated.breach.pk}/").json()
    assert body["request"]["reference"] == escalated.breach.ticket.reference
    assert body["request"]["provider"]["code"] == "FIN"
    assert body["target"] == "resolution"
    assert [(e["level"], e["department"]["code"]) for e in body["escalations"]] == [(2, "EXEC")]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"department": "fin"}, 4),
        ({"department": "SALES"}, 4),
        ({"department": "HR"}, 0),
        ({"provider": "SALES"}, 0),
        ({"customer": "SALES"}, 4),
        ({"target": "first_response"}, 2),
        ({"target": "approval"}, 0),
        ({"since": "2026-11-23", "until": "2026-11-23"}, 3),
        ({"since": "2026-11-24"}, 1),
        ({"until": "2026-11-22"}, 0),
    ],
)
def test_breaches_are_filtered(finance_week, head, query, count):
    assert api(head).get("/api/breaches/", query).json()["count"] == count


def test_breaches_are_filtered_by_request(finance_week, head):
    client = api(head)
    assert client.get("/api/breaches/", {"request": finance_week["F"].pk}).json()["count"] == 2
    assert client.get("/api/breaches/", {"request": finance_week["A"].pk}).json()["count"] == 0


def test_escalations_are_filtered_by_level_and_time(escalated, head):
    client = api(head)
    assert client.get("/api/escalations/", {"level": 2}).json()["count"] == 1
    assert client.get("/api/escalations/", {"level": 3}).json()["count"] == 0
    assert client.get("/api/escalations/", {"since": "2026-11-26"}).json()["count"] == 0


@pytest.mark.parametrize(
    "query",
    [
        {"request": "0"},
        {"request": str(2**63)},
        {"request": "F"},
        {"target": "lunch"},
        {"since": "1999-12-31"},
        {"until": "2101-01-01"},
        {"since": "yesterday"},
        {"department": "X" * 21},
    ],
)
def test_a_filter_out_of_bounds_is_a_400_with_its_message(head, query):
    for endpoint in ("breaches", "warnings", "escalations"):
        answer = api(head).get(f"/api/{endpoint}/", query)
        assert answer.status_code == 400
        assert answer.json()["detail"] and set(query) <= set(answer.json())


def test_a_level_out_of_bounds_is_a_400(head):
    assert api(head).get("/api/escalations/", {"level": "0"}).status_code == 400


def test_the_lists_come_in_pages(finance_week, head):
    first = api(head).get("/api/breaches/").json()
    assert first["next"] is None and len(first["results"]) == 4
    assert [row["detected_at"] for row in first["results"]] == sorted(
        (row["detected_at"] for row in first["results"]), reverse=True
    )
    assert api(head).get("/api/breaches/", {"page": 2}).status_code == 404


def test_anonymous_clients_get_a_401(db):
    for endpoint in ("breaches", "warnings", "escalations"):
        assert APIClient().get(f"/api/{endpoint}/").status_code == 401
