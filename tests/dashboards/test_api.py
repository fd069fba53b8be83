"""The dashboards through the API: the same figures as the pages for the same query (the page's
own objects, rounded by common.figures), the same people allowed, the query read by the pages'
form with its bounds (a 400 instead of the pages' fallback), and the scorecard in pages."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from common import figures
from departments.models import Delegation

WEEK = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def number(value) -> float | None:
    return None if value is None else float(value)


def same_figures(served: dict, shown) -> None:
    """A Compliance of a page and its figures in the API agree, count for count and to the last
    rounded digit."""
    for name in (
        "received", "no_agreement", "met", "breached", "decided", "rated", "resolved",
        "confirmed", "auto_confirmed",
    ):  # fmt: skip
        assert served[name] == getattr(shown, name), name
    for target in ("first_response", "resolution"):
        for outcome in ("met", "breached", "pending"):
            assert served[f"{target}_{outcome}"] == getattr(shown, f"{target}_{outcome}")
        assert served[f"{target}_rate"] == number(figures.percent(getattr(shown, f"{target}_rate")))
    assert served["rate"] == number(figures.percent(shown.rate))
    assert served["mean_rating"] == number(figures.rating(shown.mean_rating))
    for rate in ("confirmation_rate", "auto_confirmed_share"):
        assert served[rate] == number(figures.percent(getattr(shown, rate))), rate


def test_the_dashboard_in_the_api_has_the_figures_of_the_page(client, head, finance_week, finance):
    client.force_login(head)
    page = client.get(reverse("dashboards:department", args=[finance.code]), WEEK)
    served = api(head).get(f"/api/dashboards/{finance.code}/", WEEK)
    assert served.status_code == 200
    body, shown = served.json(), page.context["dashboard"]
    same_figures(body["summary"], shown.summary)
    assert body["summary"]["first_response_rate"] == 60.0
    assert body["summary"]["resolution_rate"] == 40.0
    assert "60.0 %" in page.text and "40.0 %" in page.text
    for served_point, shown_point in zip(body["trend"], shown.trend, strict=True):
        assert served_point["week"] == shown_point.week.isoformat()
        same_figures(served_point["figures"], shown_point.figures)
    for table in ("by_service", "by_department", "by_priority"):
        assert [group["label"] for group in body[table]] == [
            group.label for group in getattr(shown, table)
        ]
        for served_group, shown_group in zip(body[table], getattr(shown, table), strict=True):
            same_figures(served_group["figures"], shown_group.figures)
    assert body["backlog"] == vars(shown.backlog)
    assert body["durations"]["first_response"]["median"] == "P0DT02H30M00S"
    assert body["period"] == {"kind": "custom", "first": "2026-11-23", "last": "2026-11-25"}


def test_the_customer_side_lists_each_supplier(finance_week, sales, finance, admin_user):
    served = api(admin_user).get(f"/api/dashboards/{sales.code}/", {**WEEK, "view": "customer"})
    assert served.status_code == 200
    (supplier,) = served.json()["by_department"]
    assert supplier["label"] == finance.name and served.json()["side"] == "customer"


def test_the_scorecard_in_the_api_has_the_figures_of_the_page(client, hr, finance_week):
    client.force_login(hr)
    page = client.get(reverse("dashboards:scorecard"), WEEK)
    served = api(hr).get("/api/scorecard/", WEEK)
    assert served.status_code == 200
    body = served.json()
    assert body["period"] == {"kind": "custom", "first": "2026-11-23", "last": "2026-11-25"}
    rows = page.context["rows"]
    assert body["count"] == len(rows)
    for served_row, shown in zip(body["results"], rows, strict=True):
        assert served_row["department"]["code"] == shown.department.code
        assert served_row["rank"] == shown.rank
        assert served_row["compliance"] == number(figures.percent(shown.current.rate))
        assert served_row["trend"] == number(figures.percent(shown.trend))
        assert served_row["survey_score"] is None
        same_figures(served_row["current"], shown.current)
        same_figures(served_row["previous"], shown.previous)
    finance_row = next(row for row in body["results"] if row["department"]["code"] == "FIN")
    assert finance_row["compliance"] == 50.0  # 5 met of 10 decided


@pytest.mark.parametrize(("kind", "received"), [("functional", 7), ("process", 0)])
def test_the_kind_of_relationship_narrows_the_api_as_it_narrows_the_pages(
    client, head, hr, finance_week, finance, kind, received
):
    query = {**WEEK, "kind": kind}
    client.force_login(head)
    page = client.get(reverse("dashboards:department", args=[finance.code]), query)
    served = api(head).get(f"/api/dashboards/{finance.code}/", query).json()
    same_figures(served["summary"], page.context["dashboard"].summary)
    assert served["summary"]["received"] == received
    client.force_login(hr)
    rows = client.get(reverse("dashboards:scorecard"), query).context["rows"]
    served_rows = api(hr).get("/api/scorecard/", query).json()["results"]
    for served_row, shown in zip(served_rows, rows, strict=True):
        same_figures(served_row["current"], shown.current)


def test_an_unknown_kind_of_relationship_is_a_400(head, finance):
    response = api(head).get(f"/api/dashboards/{finance.code}/", {"kind": "friendly"})
    assert response.status_code == 400 and "kind" in response.json()


@pytest.mark.parametrize(
    ("who", "dashboards", "scorecard"),
    [
        ("outsider", [], 404),
        ("staff", [], 404),
        ("agent", [], 404),
        ("head", ["FIN"], 200),
        ("hr", ["EXEC", "FIN", "HR", "SALES"], 200),
        ("admin_user", ["EXEC", "FIN", "HR", "SALES"], 200),
    ],
)
def test_each_person_sees_the_dashboards_the_pages_let_them_see(
    request, who, dashboards, scorecard, finance, sales, human_resources, head
):
    client = api(request.getfixturevalue(who))
    listed = client.get("/api/dashboards/")
    assert sorted(d["code"] for d in listed.json()["results"]) == dashboards
    for department in (finance, sales):
        answer = client.get(f"/api/dashboards/{department.code}/")
        assert answer.status_code == (200 if department.code in dashboards else 404)
    assert client.get("/api/scorecard/").status_code == scorecard


def test_a_deputy_sees_the_dashboard_of_the_head_they_stand_in_for(head, staff, finance):
    today = timezone.localdate()
    Delegation.objects.create(person=head, delegate=staff, starts_on=today, ends_on=today)
    assert api(staff).get(f"/api/dashboards/{finance.code}/").status_code == 200


def test_anonymous_clients_get_a_401(finance):
    assert APIClient().get(f"/api/dashboards/{finance.code}/").status_code == 401
    assert APIClient().get("/api/scorecard/").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "fortnight"}, "period"),
        ({"period": "custom", "from": "2026-11-23"}, "non_field_errors"),
        ({"period": "custom", "from": "2026-11-25", "to": "2026-11-23"}, "non_field_errors"),
        ({"period": "custom", "from": "2020-01-01", "to": "2026-11-25"}, "non_field_errors"),
        ({"period": "custom", "from": "1999-12-31", "to": "2000-01-02"}, "from"),
        ({"period": "custom", "from": "2026-11-23", "to": "99999-01-01"}, "to"),
        ({"view": "both"}, "view"),
    ],
)
def test_a_query_out_of_bounds_is_a_400_with_its_message(head, finance, query, field):
    answer = api(head).get(f"/api/dashboards/{finance.code}/", query)
    assert answer.status_code == 400
    assert field in answer.json() and answer.json()["detail"]


def test_the_scorecard_comes_in_pages(hr, finance, sales, human_resources):
    answer = api(hr).get("/api/scorecard/", {"page": 2})
    assert answer.status_code == 404  # four departments fit on the first page
    first = api(hr).get("/api/scorecard/", {"period": "week"}).json()
    assert first["count"] == 4 and first["next"] is None


def test_the_requests_behind_a_figure_are_the_pages(client, head, finance_week, finance):
    query = {**WEEK, "view": "supplier", "target": "resolution", "outcome": "breached"}
    client.force_login(head)
    page = client.get(reverse("dashboards:requests", args=[finance.code]), query)
    served = api(head).get(f"/api/dashboards/{finance.code}/requests/", query)
    assert served.status_code == 200
    titles = [ticket["title"] for ticket in served.json()["results"]]
    assert titles == [ticket.title for ticket in page.context["page"].object_list]
    assert sorted(titles) == ["B", "D", "F"]


def test_hr_sees_the_figures_but_only_the_requests_they_take_part_in(hr, finance_week, finance):
    served = api(hr).get(f"/api/dashboards/{finance.code}/requests/", WEEK)
    assert served.status_code == 200 and served.json()["count"] == 0


@pytest.mark.parametrize(
    "query",
    [{"target": "lunch"}, {"state": "asleep"}, {"service": "0"}, {"week": "1999-01-04"}],
)
def test_a_drill_out_of_bounds_is_a_400(head, finance, query):
    answer = api(head).get(f"/api/dashboards/{finance.code}/requests/", query)
    assert answer.status_code == 400 and set(query) <= set(answer.json())


def test_nobody_else_reads_the_requests_behind_a_figure(staff, outsider, finance):
    for person in (staff, outsider):
        assert api(person).get(f"/api/dashboards/{finance.code}/requests/").status_code == 404


def test_the_heat_map_in_the_api_has_the_cells_of_the_page(client, hr, finance_week):
    client.force_login(hr)
    page = client.get(reverse("dashboards:scorecard"), WEEK)
    served = api(hr).get("/api/scorecard/heat-map/", WEEK)
    assert served.status_code == 200
    shown = [
        (supplier.code, customer.code, cell)
        for supplier, row in page.context["heat_map"].rows()
        for customer, cell in row
        if cell is not None
    ]
    cells = served.json()["results"]
    assert [(c["supplier"]["code"], c["customer"]["code"]) for c in cells] == [
        (supplier, customer) for supplier, customer, _cell in shown
    ]
    for cell, (_supplier, _customer, figures_shown) in zip(cells, shown, strict=True):
        same_figures(cell["figures"], figures_shown)
        assert cell["compliance"] == number(figures.percent(figures_shown.rate))


def test_the_heat_map_is_a_404_for_whoever_may_not_see_the_scorecard(staff, agent):
    for person in (staff, agent):
        assert api(person).get("/api/scorecard/heat-map/").status_code == 404
