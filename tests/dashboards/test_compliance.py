"""The compliance arithmetic of the dashboards, against the hand-computed week of conftest.py."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Priority
from dashboards.compliance import Compliance
from dashboards.periods import Period
from dashboards.selectors import (
    CUSTOMER,
    SUPPLIER,
    Drill,
    backlog,
    department_dashboard,
    drill_requests,
)
from dashboards.working_hours import percentile
from tests.support.clock import NOW, SHANGHAI, at
from tickets import services
from tickets.alerting.breach_scan import breach_scan
from tickets.workflow import Action

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 25))


@pytest.fixture
def supplier(finance_week, finance):
    return department_dashboard(finance, SUPPLIER, WEEK, NOW)


def test_first_response_counts_met_breached_and_pending_targets(supplier):
    s = supplier.summary
    assert (s.first_response_met, s.first_response_breached, s.first_response_pending) == (3, 2, 2)
    assert s.first_response_rate == pytest.approx(60.0)


def test_resolution_counts_a_reopened_request_by_its_last_resolution(supplier):
    s = supplier.summary
    assert (s.resolution_met, s.resolution_breached, s.resolution_pending) == (2, 3, 2)
    assert s.resolution_rate == pytest.approx(40.0)


def test_requests_without_an_agreement_are_received_but_never_in_compliance(supplier):
    assert supplier.summary.received == 8
    assert supplier.summary.no_agreement == 1
    assert supplier.summary.decided == 10  # 5 first responses and 5 resolutions decided


def test_average_rating_is_over_rated_requests_only(supplier):
    assert supplier.summary.rated == 2
    assert supplier.summary.mean_rating == pytest.approx(3.0)


def test_backlog_counts_open_requests_now(supplier):
    # Open: B, F, G, H; overdue: B and F; unassigned: all but B, which its acknowledgement
    # assigned to the agent who acknowledged it.
    assert (supplier.backlog.open, supplier.backlog.overdue, supplier.backlog.unassigned) == (
        4,
        2,
        3,
    )


def test_nothing_is_about_to_breach_before_a_warning_time(supplier):
    # H's first response is due Wed 12:00; 75 % of its 4 working hours have run at 11:00.
    assert supplier.at_risk == []
    assert supplier.at_risk_count == 0


def test_a_request_is_about_to_breach_from_its_warning_time_until_its_due_time(
    finance_week, finance
):
    def at_risk(now):
        return [t.title for t in department_dashboard(finance, SUPPLIER, WEEK, now).at_risk]

    assert at_risk(datetime(2026, 11, 25, 10, 59, tzinfo=SHANGHAI)) == []
    assert at_risk(datetime(2026, 11, 25, 11, 0, tzinfo=SHANGHAI)) == ["H"]
    assert at_risk(datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)) == ["H"]  # met if now
    assert at_risk(datetime(2026, 11, 25, 12, 1, tzinfo=SHANGHAI)) == []  # overdue instead


def test_working_hours_exclude_paused_time(supplier):
    first_response = supplier.durations["first_response"]
    assert first_response.count == 4
    assert first_response.median == 2.5 * HOUR
    assert first_response.p90 == pytest.approx(4.35 * HOUR, abs=SECOND)
    resolution = supplier.durations["resolution"]
    assert resolution.count == 3
    assert resolution.median == 7.5 * HOUR
    assert resolution.p90 == pytest.approx(8.3 * HOUR, abs=SECOND)
    assert not resolution.sampled


def test_breakdowns_group_the_same_figures(supplier, sales, payroll_extract):
    (customer,) = supplier.by_department
    assert customer.key == sales.pk and customer.figures == supplier.summary
    by_service = {group.label: group.figures for group in supplier.by_service}
    assert by_service[payroll_extract.name].breached == 5
    assert by_service["Ad-hoc analysis"].received == 1
    by_priority = {group.key: group.figures.received for group in supplier.by_priority}
    assert by_priority == {"P1": 1, "P2": 5, "P3": 2}


def test_weekly_trend_has_every_week_of_the_period(finance_week, finance):
    period = Period("custom", date(2026, 11, 9), date(2026, 11, 25))
    trend = department_dashboard(finance, SUPPLIER, period, NOW).trend
    assert [point.week for point in trend] == [
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert trend[0].figures == Compliance()
    assert trend[2].figures.received == 8


def test_the_customer_sees_how_each_supplier_treated_it(finance_week, sales, finance):
    customer = department_dashboard(sales, CUSTOMER, WEEK, NOW)
    assert customer.summary.received == 8
    (supplier,) = customer.by_department
    assert supplier.key == finance.pk and supplier.label == "Finance"
    assert supplier.figures.first_response_rate == pytest.approx(60.0)


def test_a_period_before_the_requests_is_empty(finance_week, finance):
    period = Period("custom", date(2026, 10, 1), date(2026, 10, 31))
    dashboard = department_dashboard(finance, SUPPLIER, period, NOW)
    assert dashboard.summary == Compliance()
    assert dashboard.summary.rate is None
    assert dashboard.backlog.open == 4  # the backlog is as of now, whatever the period


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ({"target": "first_response", "outcome": "breached"}, {"C", "F"}),
        ({"target": "resolution", "outcome": "breached"}, {"B", "D", "F"}),
        ({"target": "resolution", "outcome": "met"}, {"A", "C"}),
        ({"outcome": "pending"}, {"G", "H"}),
        ({"state": "no_agreement"}, {"E"}),
        ({"state": "rated"}, {"A", "C"}),
        ({"state": "at_risk"}, set()),  # H only from Wed 11:00
        ({"state": "overdue"}, {"B", "F"}),
        ({"priority": "P3"}, {"E", "G"}),
    ],
)
def test_each_figure_links_to_the_requests_behind_it(finance_week, finance, head, query, titles):
    tickets = drill_requests(head, finance, SUPPLIER, WEEK, Drill.from_query(query), NOW)
    assert {ticket.title for ticket in tickets} == titles


def test_the_requests_about_to_breach_are_those_past_their_warning_time(
    finance_week, finance, head
):
    drill = Drill.from_query({"state": "at_risk"})
    eleven = datetime(2026, 11, 25, 11, tzinfo=SHANGHAI)
    assert [t.title for t in drill_requests(head, finance, SUPPLIER, WEEK, drill, eleven)] == ["H"]


def test_the_requests_behind_a_figure_are_only_those_the_reader_may_see(finance_week, finance, hr):
    drill = Drill.from_query({"outcome": "breached"})
    assert not drill_requests(hr, finance, SUPPLIER, WEEK, drill, NOW).exists()


def test_percentile_interpolates_like_percentile_cont():
    values = [HOUR, 2 * HOUR, 4 * HOUR, 10 * HOUR]
    assert percentile(values, 0.5) == 3 * HOUR
    assert percentile(values, 0.9) == pytest.approx(8.2 * HOUR, abs=SECOND)
    assert percentile([], 0.5) is None


def test_a_request_paused_past_its_due_time_is_pending_not_breached(
    request, finance, agent, payroll_extract
):
    """Waiting on the requester holds the resolution clock: no due time while paused."""
    request.getfixturevalue("agreement")
    travel = request.getfixturevalue("clock_at")
    file = request.getfixturevalue("file_request")
    travel(datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))
    ticket = file(payroll_extract, title="Paused", priority="P1")
    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ASK, expected_version=None
    )
    later = datetime(2026, 11, 27, 9, tzinfo=SHANGHAI)  # days after the 4 working hours
    travel(later)
    period = Period("custom", date(2026, 11, 23), date(2026, 11, 27))
    s = department_dashboard(finance, SUPPLIER, period, later).summary
    assert (s.first_response_met, s.resolution_pending, s.resolution_breached) == (1, 1, 0)


def test_a_breach_stays_a_breach_when_the_priority_change_moves_the_due_time(
    request, finance, agent, payroll_extract
):
    request.getfixturevalue("agreement")
    travel = request.getfixturevalue("clock_at")
    file = request.getfixturevalue("file_request")
    travel(datetime(2026, 11, 23, 9, tzinfo=SHANGHAI))
    ticket = file(payroll_extract, title="Urgent, then not", priority="P1")  # due 10:00
    breach_scan(now=datetime(2026, 11, 23, 10, 5, tzinfo=SHANGHAI))
    travel(datetime(2026, 11, 23, 11, tzinfo=SHANGHAI))
    services.ticket_change_priority(
        ticket_id=ticket.pk, by=agent, priority="P3", expected_version=None
    )  # first response now due Tuesday 9:00
    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=None
    )
    ticket.refresh_from_db()
    assert ticket.first_responded_at <= ticket.first_response_due_at
    assert ticket.first_response_breached_at is not None  # flagged by the scan at 10:05
    period = Period("custom", date(2026, 11, 23), date(2026, 11, 23))
    now = datetime(2026, 11, 23, 11, tzinfo=SHANGHAI)
    s = department_dashboard(finance, SUPPLIER, period, now).summary
    assert (s.first_response_met, s.first_response_breached) == (0, 1)


def test_a_breached_request_due_later_after_a_priority_change_is_still_overdue_in_one_query(
    agreement, agent, payroll_extract, file_request, clock_at, finance
):
    ticket = file_request(payroll_extract, priority=Priority.P1)  # first response due at 10:00
    breach_scan(now=at(23, 10, 30))
    clock_at(at(23, 10, 45))
    services.ticket_change_priority(
        ticket_id=ticket.pk, by=agent, priority=Priority.P3, expected_version=None
    )  # first response now due at 17:00: only its flag says it was breached
    ticket.refresh_from_db()
    assert ticket.next_due_at > at(23, 11) and ticket.first_response_breached_at is not None

    with CaptureQueriesContext(connection) as queries:
        now = backlog(finance, SUPPLIER, at(23, 11))

    assert (now.open, now.overdue, now.unassigned) == (1, 1, 1)
    assert len(queries) == 1
