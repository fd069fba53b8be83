"""The dashboard pages as a head reads them: figures linked to their requests, the period picker
(whole page or htmx fragment, with a URL to bookmark), the scorecard and its explanations, and a
constant number of queries however many requests there are."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Priority
from dashboards.periods import Period, PeriodForm, period_of
from departments.models import Membership
from tests.factories import DepartmentFactory, MembershipFactory, ServiceFactory, UserFactory
from tests.support.clock import NOW, at
from tests.support.dashboards import DASHBOARD_QUERIES, REQUESTS_QUERIES, SCORECARD_QUERIES

WEEK = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}


@pytest.fixture
def as_head(client, head):
    client.force_login(head)
    return client


def dashboard_url(department, **query):
    return reverse("dashboards:department", args=[department.code])


def test_the_supplier_view_shows_the_weeks_figures(as_head, finance_week, finance):
    response = as_head.get(dashboard_url(finance), WEEK)
    assert response.status_code == 200
    summary = response.context["dashboard"].summary
    assert (summary.received, summary.first_response_breached, summary.resolution_breached) == (
        8,
        2,
        3,
    )
    assert "60.0 %" in response.text and "40.0 %" in response.text
    assert 'id="trend-data"' in response.text and 'id="services-data"' in response.text


def test_each_breach_count_links_to_its_requests(as_head, finance_week, finance):
    response = as_head.get(dashboard_url(finance), WEEK)
    link = (
        reverse("dashboards:requests", args=[finance.code])
        + "?period=custom&amp;from=2026-11-23&amp;to=2026-11-25&amp;view=supplier"
        "&amp;target=resolution&amp;outcome=breached"
    )
    assert link in response.text
    listed = as_head.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert {t.title for t in listed.context["page"].object_list} == {"B", "D", "F"}
    assert "Resolution: breached" in listed.text


def test_the_customer_view_shows_each_supplier(client, finance_week, sales, finance):
    sales_head = sales.head or MembershipFactory(department=sales, role=Membership.Role.HEAD).user
    client.force_login(sales_head)
    response = client.get(dashboard_url(sales), {**WEEK, "view": "customer"})
    assert response.status_code == 200
    (supplier,) = response.context["dashboard"].by_department
    assert supplier.label == finance.name
    assert "how each supplier treated us" in response.text


def test_the_period_picker_answers_htmx_with_the_fragment_only(as_head, finance_week, finance):
    response = as_head.get(
        dashboard_url(finance), {"period": "week"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="dashboard"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]
    assert response.context["period"] == Period("week", date(2026, 11, 23), date(2026, 11, 25))


def test_a_bookmarked_url_shows_the_same_view(as_head, finance_week, finance):
    query = {"period": "90d", "view": "customer"}
    response = as_head.get(dashboard_url(finance), query)
    assert response.context["side"] == "customer"
    assert response.context["period"].kind == "90d"
    assert 'value="90d" selected' in response.text


def test_an_invalid_custom_period_is_explained_and_the_last_30_days_shown(
    as_head, finance_week, finance
):
    response = as_head.get(
        dashboard_url(finance), {"period": "custom", "from": "2026-11-25", "to": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "The last day comes before the first day." in response.text
    assert response.context["period"] == period_of("30d", date(2026, 11, 25))


def test_named_periods_end_today():
    today = date(2026, 11, 25)
    assert period_of("week", today).first == date(2026, 11, 23)
    assert period_of("30d", today).first == date(2026, 10, 27)
    assert period_of("90d", today).first == date(2026, 8, 28)
    assert period_of("quarter", today).first == date(2026, 10, 1)
    assert Period("custom", date(2026, 11, 1), date(2026, 11, 30)).previous() == Period(
        "custom", date(2026, 10, 2), date(2026, 10, 31)
    )


def test_a_custom_period_longer_than_two_years_is_refused():
    form = PeriodForm({"period": "custom", "from": "2020-01-01", "to": "2026-01-01"})
    assert not form.is_valid()


def test_an_empty_department_shows_empty_states(as_head, finance):
    response = as_head.get(dashboard_url(finance))
    assert response.status_code == 200
    assert "No request in this period." in response.text
    assert "No request is about to breach." in response.text


def test_the_list_behind_a_figure_tells_hr_it_shows_only_their_own_requests(
    client, finance_week, finance, hr
):
    client.force_login(hr)
    url = reverse("dashboards:requests", args=[finance.code])
    response = client.get(url, {**WEEK, "outcome": "breached"})
    assert response.status_code == 200
    assert "this list shows only the requests you may open yourself" in response.text
    assert "No request matches this figure." in response.text


def test_the_scorecard_ranks_departments_and_explains_each_score(client, finance_week, hr):
    client.force_login(hr)
    response = client.get(reverse("dashboards:scorecard"), WEEK)
    assert response.status_code == 200
    first = response.context["rows"][0]
    assert first.department.name == "Finance" and first.rank == 1
    assert first.current.met == 5 and first.current.decided == 10
    assert "5 met ÷ 10 decided = 50.0 %" in response.text
    assert "How the scores are computed" in response.text
    assert [row.rank for row in response.context["rows"][1:]] == [None] * (
        len(response.context["rows"]) - 1
    )
    heat = response.context["heat_map"]
    assert [d.name for d in heat.suppliers] == ["Finance"]
    assert [d.name for d in heat.customers] == ["Sales"]
    assert "heat-2" in response.text  # 50 %


def more_requests(finance, count: int, agreement):
    """`count` more requests with Finance, each on its own service from its own department, and
    each about to breach (first response due within the hour, its warning time passed)."""
    from tickets.models import Ticket

    requester = UserFactory(username="bulk")
    for n in range(count):
        customer = DepartmentFactory(code=f"C{n}", name=f"Customer {n}")
        service = ServiceFactory(provider=finance, name=f"Bulk service {n}")
        Ticket.objects.create(
            title=f"bulk {n}",
            service=service,
            provider=finance,
            customer=customer,
            requester=requester,
            priority=Priority.P3,
            filed_at=at(24, 10),
            agreement=agreement,
            first_response_due_at=NOW + timedelta(hours=1),
            first_response_warn_at=NOW - timedelta(hours=1),
            rating=3,
        )


@pytest.mark.parametrize("extra", [0, 25])
def test_pages_take_a_constant_number_of_queries(
    as_head, finance_week, finance, django_assert_max_num_queries, extra
):
    more_requests(finance, extra, finance_week["A"].agreement)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = as_head.get(dashboard_url(finance), WEEK)
        assert response.context["dashboard"].at_risk_count == extra
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = as_head.get(dashboard_url(finance), {**WEEK, "view": "customer"})
        assert response.status_code == 200
    url = reverse("dashboards:requests", args=[finance.code])
    with django_assert_max_num_queries(REQUESTS_QUERIES):
        assert as_head.get(url, {**WEEK, "service": "1", "state": "at_risk"}).status_code == 200
    with django_assert_max_num_queries(SCORECARD_QUERIES):
        assert as_head.get(reverse("dashboards:scorecard"), WEEK).status_code == 200


def test_about_to_breach_is_explained_as_past_the_warning_threshold(as_head, finance_week, finance):
    dashboard = as_head.get(dashboard_url(finance), WEEK).text
    behind = as_head.get(
        reverse("dashboards:requests", args=[finance.code]), {**WEEK, "state": "at_risk"}
    )

    assert "past the warning threshold of their agreement" in dashboard
    assert "4 working hours" not in dashboard
    assert behind.context["filter_labels"] == ["About to breach (past their warning threshold)"]


def test_about_to_breach_reads_in_chinese(as_head, finance_week, finance):
    chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

    dashboard = as_head.get(dashboard_url(finance), WEEK, **chinese).text
    behind = as_head.get(
        reverse("dashboards:requests", args=[finance.code]), {**WEEK, "state": "at_risk"}, **chinese
    )

    assert "已过其协议预警阈值" in dashboard
    assert behind.context["filter_labels"] == ["即将超时（已过预警阈值）"]


def test_the_dashboard_and_scorecard_read_in_chinese(as_head, finance_week, finance):
    chinese = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    response = as_head.get(dashboard_url(finance), WEEK, **chinese)
    assert response.status_code == 200
    assert "Finance 的仪表板" in response.text
    assert "3 个超时" in response.text
    response = as_head.get(reverse("dashboards:scorecard"), WEEK, **chinese)
    assert "得分的计算方法" in response.text


def test_a_dashboard_counted_within_the_minute_is_shown_again_as_of_its_time(
    client, as_head, finance_week, finance, outsider, clock_at
):
    def read() -> tuple:
        with CaptureQueriesContext(connection) as queries:
            response = as_head.get(dashboard_url(finance), WEEK)
        assert response.status_code == 200
        return response.context["dashboard"].now, len(queries)

    first, counted = read()
    clock_at(NOW + timedelta(seconds=59))
    again, reused = read()
    clock_at(NOW + timedelta(seconds=61))
    later, _ = read()

    assert first == again == NOW and later == NOW + timedelta(seconds=61)
    assert reused <= 8 < counted
    client.force_login(outsider)
    assert client.get(dashboard_url(finance), WEEK).status_code == 404
