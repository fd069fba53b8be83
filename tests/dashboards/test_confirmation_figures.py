"""The confirmation figures (rule of the clock 7) on the dashboards, the scorecard and their
exports, and the daily totals settling once a day's resolved requests confirm themselves.

In the hand-computed week of tests/support/dashboards.py, A and C are confirmed by their
requester; D (resolved Tuesday 17:00) and E (resolved Monday 10:00, no agreement: the default
working week) await confirmation. At NOW: 2 of 4 results confirmed, none automatically. On
Thursday 26 at 18:00, E's three working days (Tuesday to Thursday) are over and it confirms
itself: 3 of 4 confirmed, 1 of the 3 automatically.
"""

import csv
import io
from datetime import date, timedelta

from django.urls import reverse

from dashboards.compliance import FIGURES, Compliance, facts
from dashboards.models import CountedDay, DailyCount
from dashboards.periods import Period
from dashboards.scorecard import company_facts, scorecard
from dashboards.selectors import CUSTOMER, SUPPLIER, department_dashboard
from dashboards.services import rollup_refresh
from tests.support.clock import NOW, at
from tickets import services
from tickets.confirmation import confirmation_scan
from tickets.models import Status, Ticket
from tickets.workflow import Action

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 25))
THURSDAY_6PM = at(26, 18)


def test_the_supplier_dashboard_counts_confirmations(finance_week, finance):
    summary = department_dashboard(finance, SUPPLIER, WEEK, NOW).summary

    assert (summary.resolved, summary.confirmed, summary.auto_confirmed) == (4, 2, 0)
    assert summary.confirmation_rate == 50
    assert summary.auto_confirmed_share == 0


def test_a_request_that_confirmed_itself_counts_as_confirmed_automatically(
    finance_week, finance, sales, clock_at
):
    clock_at(THURSDAY_6PM)
    assert confirmation_scan().confirmed == [finance_week["E"].pk]

    by_supplier = department_dashboard(sales, CUSTOMER, WEEK, THURSDAY_6PM).by_department
    figures = next(group.figures for group in by_supplier if group.key == finance.pk)
    assert (figures.confirmed, figures.auto_confirmed) == (3, 1)
    assert figures.confirmation_rate == 75
    assert round(figures.auto_confirmed_share, 1) == 33.3


def test_the_scorecard_shows_the_confirmation_rate_and_the_automatic_share(
    finance_week, finance, clock_at
):
    clock_at(THURSDAY_6PM)
    confirmation_scan()

    rows = scorecard(company_facts(WEEK, THURSDAY_6PM))

    row = next(row for row in rows if row.department == finance)
    assert row.current.confirmation_rate == 75
    assert round(row.current.auto_confirmed_share, 1) == 33.3


def test_the_summary_export_holds_the_confirmation_figures(client, head, finance_week, finance):
    client.force_login(head)
    response = client.get(
        reverse("dashboards:export", args=[finance.code, "summary", "csv"]),
        {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"},
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    figures = dict(zip(header, row, strict=True))

    assert figures["Confirmation rate (%)"] == "50.0"
    assert figures["Confirmed automatically (%)"] == "0.0"


def test_the_department_page_shows_the_confirmation_rate_in_both_languages(
    client, head, finance_week, finance
):
    client.force_login(head)
    url = reverse("dashboards:department", args=[finance.code])
    week = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}

    english = client.get(url, week)
    assert "Confirmation rate" in english.text
    assert "2 of 4 results confirmed" in english.text

    chinese = client.get(url, week, headers={"accept-language": "zh-hans"})
    assert "确认率" in chinese.text


def test_a_day_of_resolved_requests_settles_once_they_confirm_themselves(
    agreement, agent, payroll_extract, file_request, clock_at
):
    clock_at(at(23, 9))
    ticket = file_request(payroll_extract)
    clock_at(at(23, 10))
    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.RESOLVE, expected_version=None
    )
    rollup_refresh(now=at(25, 9))
    assert not CountedDay.objects.get(day=date(2026, 11, 23)).settled

    clock_at(THURSDAY_6PM)
    confirmation_scan()
    rollup_refresh(now=THURSDAY_6PM + timedelta(minutes=5))

    monday = CountedDay.objects.get(day=date(2026, 11, 23))
    assert monday.settled
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED
    totals = Compliance()
    for row in DailyCount.objects.filter(day=date(2026, 11, 23)).values(*FIGURES):
        totals.add(row)
    live = Compliance()
    for row in facts(Ticket.objects.all(), THURSDAY_6PM):
        live.add(row)
    assert (totals.confirmed, totals.auto_confirmed) == (1, 1)
    assert totals == live


def test_the_api_serves_the_confirmation_figures(head, finance_week, finance):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(head)
    body = client.get(
        f"/api/dashboards/{finance.code}/",
        {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"},
    ).json()

    assert body["summary"]["confirmation_rate"] == 50.0
    assert body["summary"]["auto_confirmed_share"] == 0.0
