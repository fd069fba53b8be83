"""A waived breach leaves the compliance figures everywhere they are read: the department
dashboard, its exports, the scorecard (which shows "N waived" beside the score), the heat map,
and the daily totals, even when the day of the request was settled before the waiver.

The week of tests/support/dashboards.py: F (P1) breached both targets, flagged by the scan on
Monday at 16:00. Finance's first response: 3 met, 2 breached (C late, F), 2 pending: 60 %."""

import csv
import io
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse

from dashboards.compliance import FIGURES, facts
from dashboards.models import CountedDay
from dashboards.periods import Period
from dashboards.scorecard import company_facts, heat_map, scorecard
from dashboards.selectors import SUPPLIER, department_dashboard
from dashboards.services import rollup_refresh
from disputes import services
from disputes.models import Reason
from tests.support.clock import NOW
from tickets.models import Breach, Status, Target, Ticket

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 25))
QUERY = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}


@pytest.fixture
def waive_f(sales_head, finance_week, head):
    """Waive F's first response breach: opened by Finance's head, accepted by Sales's."""

    def waive():
        breach = Breach.objects.get(ticket=finance_week["F"], target=Target.FIRST_RESPONSE)
        dispute = services.dispute_open(
            breach_id=breach.pk, by=head, reason=Reason.CUSTOMER, text="No data from Sales."
        )
        services.dispute_decide(dispute_id=dispute.pk, by=sales_head, waive=True, comment="Yes.")

    return waive


def finance_row(now=NOW):
    rows = scorecard(company_facts(WEEK, now))
    return next(row for row in rows if row.department.code == "FIN")


def test_a_waived_breach_counts_neither_as_met_nor_as_breached(waive_f, finance):
    waive_f()

    summary = department_dashboard(finance, SUPPLIER, WEEK, NOW).summary
    assert (summary.first_response_met, summary.first_response_breached) == (3, 1)
    assert summary.first_response_waived == 1 and summary.first_response_pending == 2
    assert summary.first_response_rate == pytest.approx(75.0)
    assert summary.resolution_breached == 3  # F's resolution breach was not disputed


def test_the_scorecard_shows_the_waived_breaches_beside_the_score(waive_f, client, hr):
    before = finance_row()
    waive_f()

    row = finance_row()
    assert before.waived == 0 and row.waived == 1
    assert row.current.decided == before.current.decided - 1
    client.force_login(hr)
    page = client.get(reverse("dashboards:scorecard"), QUERY).text
    assert "1 waived" in page


def test_the_heat_map_leaves_the_waived_breach_out(waive_f, finance, sales):
    waive_f()

    cell = heat_map(company_facts(WEEK, NOW)).cells[(finance.pk, sales.pk)]
    assert cell.waived == 1
    assert cell.rate == pytest.approx(100 * 5 / (5 + 4))


def test_a_waiver_after_the_day_was_settled_corrects_the_daily_totals(waive_f, finance, clock_at):
    later = NOW + timedelta(days=3)
    Ticket.objects.update(status=Status.CLOSED, closed_at=NOW)
    rollup_refresh(now=later)
    monday = CountedDay.objects.get(day=date(2026, 11, 23))
    assert monday.settled
    clock_at(later)

    waive_f()

    assert not CountedDay.objects.get(day=date(2026, 11, 23)).settled
    live = facts(Ticket.objects.filter(provider=finance), later)
    page = department_dashboard(finance, SUPPLIER, WEEK, later)
    assert page.summary.first_response_waived == 1
    assert page.summary.first_response_breached == 1
    rollup_refresh(now=later)
    assert CountedDay.objects.get(day=date(2026, 11, 23)).settled
    counted = department_dashboard(finance, SUPPLIER, WEEK, later)
    assert counted.source.settled_days == 3
    assert counted.summary == page.summary
    assert {name: sum(row[name] for row in live) for name in FIGURES} == {
        name: getattr(counted.summary, name) for name in FIGURES
    }


def test_the_export_and_the_page_agree_on_the_waived_breach(waive_f, client, hr, head, finance):
    waive_f()
    client.force_login(head)

    response = client.get(
        reverse("dashboards:export", args=[finance.code, "summary", "csv"]), QUERY
    )
    header, row = csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    figures = dict(zip(header, row, strict=True))
    assert figures["First response waived"] == "1"
    assert figures["First response breached"] == "1"
    assert figures["First response compliance (%)"] == "75.0"
    page = client.get(reverse("dashboards:department", args=[finance.code]), QUERY).text
    assert "1 waived" in page and "75" in page
    client.force_login(hr)
    scorecard_csv = client.get(
        reverse("dashboards:scorecard_export", args=["scorecard", "csv"]), QUERY
    )
    header, *rows = csv.reader(
        io.StringIO(b"".join(scorecard_csv.streaming_content).decode("utf-8-sig"))
    )
    finance_line = dict(zip(header, next(r for r in rows if r[1] == "Finance"), strict=True))
    assert finance_line["Waived"] == "1"


@pytest.fixture(params=["process", "shared"])
def dashboard_cache(request, settings):
    """Each process's own cache, or one shared by all (CACHE_URL naming Redis)."""
    prefix = f"test-{uuid.uuid4().hex}"
    if request.param == "shared":
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
        backend |= {"LOCATION": settings.REDIS_URL, "KEY_PREFIX": prefix}
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    settings.CACHES = {"default": backend}


def test_the_dashboard_shows_a_waiver_at_once_though_it_was_counted_a_moment_ago(
    waive_f, dashboard_cache, client, head, finance, django_capture_on_commit_callbacks
):
    client.force_login(head)
    url = reverse("dashboards:department", args=[finance.code])
    before = client.get(url, QUERY).context["dashboard"].summary
    assert before.first_response_waived == 0

    with django_capture_on_commit_callbacks(execute=True):
        waive_f()

    response = client.get(url, QUERY)
    assert response.context["dashboard"].summary.first_response_waived == 1
    assert "1 waived" in response.text


def test_until_the_waiver_is_committed_the_counted_dashboard_is_served(
    waive_f, dashboard_cache, client, head, finance, django_capture_on_commit_callbacks
):
    client.force_login(head)
    url = reverse("dashboards:department", args=[finance.code])
    client.get(url, QUERY)

    with django_capture_on_commit_callbacks(execute=False):
        waive_f()
        cached = client.get(url, QUERY).context["dashboard"].summary

    assert cached.first_response_waived == 0


def test_the_drill_down_lists_the_request_whose_breach_was_waived(
    waive_f, client, head, finance, finance_week
):
    waive_f()
    client.force_login(head)

    response = client.get(
        reverse("dashboards:requests", args=[finance.code]),
        {**QUERY, "target": "first_response", "outcome": "waived"},
    )

    assert response.status_code == 200
    assert finance_week["F"].reference in response.text
    assert finance_week["C"].reference not in response.text
