"""The daily totals: a Celery job counts each day's requests once they can no longer change, the
pages add them up for those days and count the other days from the requests, and the figures are
the same either way."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse

from dashboards.compliance import FIGURES, Compliance, facts
from dashboards.models import CountedDay, DailyCount, DailyPairCount, RollupMark
from dashboards.periods import Period
from dashboards.scorecard import company_facts, heat_map, scorecard
from dashboards.selectors import CUSTOMER, SUPPLIER, department_dashboard
from dashboards.services import rollup_refresh
from dashboards.tasks import recount_rollup, refresh_rollup
from tests.factories import DepartmentFactory, ServiceFactory
from tests.support.clock import NOW, SHANGHAI
from tests.support.dashboards import DASHBOARD_QUERIES, SCORECARD_QUERIES
from tickets.models import OPEN_STATUSES, Status, Ticket

WEEK = Period("custom", date(2026, 11, 23), date(2026, 11, 25))
HOUR = timedelta(hours=1)


def summed(rows) -> dict:
    figures = Compliance()
    for row in rows:
        figures.add(row)
    return {name: getattr(figures, name) for name in FIGURES}


def test_the_job_run_twice_counts_each_request_once(finance_week, clock_at):
    assert refresh_rollup() == 3  # Monday to Wednesday
    refresh_rollup()
    live = facts(Ticket.objects.all(), NOW)
    assert summed(DailyCount.objects.values(*FIGURES)) == summed(live)
    assert summed(DailyPairCount.objects.values(*FIGURES)) == summed(live)
    assert DailyCount.objects.filter(day=date(2026, 11, 23)).count() == 3  # P1, P2, P3 (E)
    assert list(CountedDay.objects.values_list("day", "requests", "settled")) == [
        (date(2026, 11, 23), 6, False),
        (date(2026, 11, 24), 2, False),
        (date(2026, 11, 25), 0, False),
    ]
    assert RollupMark.objects.get().last_ticket_id == finance_week["H"].pk


def test_the_nightly_recount_counts_every_day_again(finance_week):
    rollup_refresh(now=NOW)
    DailyCount.objects.update(received=0)
    assert recount_rollup() == 3
    assert recount_rollup() == 3
    assert summed(DailyCount.objects.values(*FIGURES))["received"] == 8


def close_all(now):
    Ticket.objects.update(status=Status.CLOSED, closed_at=now)


def test_a_day_settles_when_its_requests_are_closed_and_it_is_over(finance_week):
    rollup_refresh(now=NOW)
    assert not CountedDay.objects.filter(settled=True).exists()
    close_all(NOW)
    assert rollup_refresh(now=NOW) == 3  # the unsettled days, recounted
    settled = set(CountedDay.objects.filter(settled=True).values_list("day", flat=True))
    assert settled == {date(2026, 11, 23), date(2026, 11, 24)}  # not today
    assert rollup_refresh(now=NOW) == 1  # only today again


def test_a_day_with_requests_still_open_is_counted_again_only_once_they_settle(finance_week):
    rollup_refresh(now=NOW)
    assert rollup_refresh(now=NOW) == 1  # today (no request, not over); Monday and Tuesday wait
    Ticket.objects.filter(filed_at__date__lt=date(2026, 11, 24)).update(status=Status.CLOSED)
    assert rollup_refresh(now=NOW) == 2  # Monday, settled now, and today
    assert list(CountedDay.objects.filter(settled=True).values_list("day", flat=True)) == [
        date(2026, 11, 23)
    ]


def test_a_day_settles_only_an_hour_after_midnight(finance_week):
    close_all(NOW)
    rollup_refresh(now=datetime(2026, 11, 25, 0, 30, tzinfo=SHANGHAI))
    assert not CountedDay.objects.get(day=date(2026, 11, 24)).settled
    rollup_refresh(now=datetime(2026, 11, 25, 1, 0, tzinfo=SHANGHAI))
    assert CountedDay.objects.get(day=date(2026, 11, 24)).settled


def test_a_request_inserted_on_a_settled_day_is_counted_at_the_next_run(finance_week, finance):
    close_all(NOW)
    rollup_refresh(now=NOW)
    a = finance_week["A"]
    a.pk = None
    a.filed_at = datetime(2026, 11, 23, 11, tzinfo=SHANGHAI)
    a.status = Status.CLOSED
    a.save()  # an import, or the demo, filing in the past
    assert rollup_refresh(now=NOW) == 2  # Monday, and today
    dashboard = department_dashboard(finance, SUPPLIER, WEEK, NOW)
    assert dashboard.summary.received == 9
    assert dashboard.source.settled_days == 2


def test_a_run_killed_halfway_leaves_the_totals_as_they_were(finance_week, monkeypatch):
    close_all(NOW)
    rollup_refresh(now=NOW)
    before = list(DailyCount.objects.order_by("pk").values())
    from dashboards import services

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_counted_day", killed)
    with pytest.raises(SystemExit):
        rollup_refresh(now=NOW + HOUR)
    assert list(DailyCount.objects.order_by("pk").values()) == before
    monkeypatch.undo()
    rollup_refresh(now=NOW + HOUR)
    assert summed(DailyCount.objects.values(*FIGURES))["received"] == 8


def test_the_hand_computed_week_reads_the_same_from_the_daily_totals(finance_week, finance):
    later = NOW + timedelta(days=3)
    close_all(NOW)  # B, D, F, G and H closed as they stood: their outcomes are final
    live = department_dashboard(finance, SUPPLIER, WEEK, later)
    rollup_refresh(now=later)
    counted = department_dashboard(finance, SUPPLIER, WEEK, later)
    assert counted.source.settled_days == 3 and counted.source.live_days == 0
    assert counted.summary == live.summary
    assert counted.summary.received == 8 and counted.summary.rated == 2
    assert counted.trend == live.trend
    assert counted.by_service == live.by_service
    assert counted.by_priority == live.by_priority


def test_the_page_says_when_the_figures_were_counted(client, head, finance_week, finance):
    close_all(NOW)
    rollup_refresh(now=NOW - timedelta(minutes=4))
    client.force_login(head)
    url = reverse("dashboards:department", args=[finance.code])
    response = client.get(url, {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"})
    assert "Figures as of 09:00." in response.text
    assert (
        "2 days whose requests were all closed come from the daily totals counted at "
        "25 Nov 2026, 08:56; the other days are counted from the requests now."
    ) in response.text


# Randomised: a month of requests in every state, read both ways --------------------------


def random_requests(rng: random.Random, agreement, requester, count: int) -> None:
    """`count` requests over the 25 days to NOW between four departments: every request filed
    before 20 November is over (closed, cancelled or rejected); later ones in any status."""
    departments = [agreement.provider, *(DepartmentFactory() for _ in range(3))]
    services = {d.pk: [ServiceFactory(provider=d) for _ in range(2)] for d in departments}
    tickets = []
    for n in range(count):
        provider, customer = rng.sample(departments, 2)
        filed = NOW - timedelta(days=24) + timedelta(minutes=rng.randrange(24 * 24 * 60))
        over = filed < datetime(2026, 11, 20, tzinfo=SHANGHAI) or rng.random() < 0.4
        status = (
            rng.choice([Status.CLOSED] * 8 + [Status.CANCELLED, Status.REJECTED])
            if over
            else rng.choice([*OPEN_STATUSES, Status.RESOLVED])
        )
        agreed = rng.random() > 0.1
        responded = filed + rng.random() * 10 * HOUR if rng.random() < 0.8 else None
        resolved = filed + rng.random() * 40 * HOUR if status == Status.RESOLVED or over else None
        first_due, resolution_due = filed + 4 * HOUR, filed + 24 * HOUR
        tickets.append(
            Ticket(
                title=f"random {n}",
                service=rng.choice(services[provider.pk]),
                provider=provider,
                customer=customer,
                requester=requester,
                priority=rng.choice(["P1", "P2", "P3", "P4"]),
                agreement=agreement if agreed else None,
                status=status,
                filed_at=filed,
                resolution_started_at=filed,
                first_response_due_at=first_due if agreed else None,
                resolution_due_at=resolution_due if agreed else None,
                first_responded_at=responded,
                resolved_at=resolved,
                first_response_breached_at=(
                    first_due if agreed and rng.random() < 0.1 and filed + 4 * HOUR < NOW else None
                ),
                resolution_breached_at=(
                    resolution_due
                    if agreed and rng.random() < 0.05 and filed + 24 * HOUR < NOW
                    else None
                ),
                rating=rng.randint(1, 5)
                if status == Status.CLOSED and rng.random() < 0.4
                else None,
                confirmed_at=resolved if status == Status.CLOSED else None,
                confirmed_automatically=status == Status.CLOSED and rng.random() < 0.3,
            )
        )
    Ticket.objects.bulk_create(tickets)


def expected(tickets, now) -> dict:
    """The figures computed one request at a time in Python, from the definitions of
    dashboards.compliance."""
    figures = dict.fromkeys(FIGURES, 0)
    for t in tickets:
        figures["received"] += 1
        figures["no_agreement"] += t.agreement_id is None
        figures["rated"] += t.rating is not None
        figures["rating_sum"] += t.rating or 0
        figures["resolved"] += t.resolved_at is not None
        figures["confirmed"] += t.confirmed_at is not None
        figures["auto_confirmed"] += t.confirmed_automatically
        for target, met in (
            ("first_response", "first_responded_at"),
            ("resolution", "resolved_at"),
        ):
            met_at, due = getattr(t, met), getattr(t, f"{target}_due_at")
            is_open = t.status in OPEN_STATUSES
            if (
                getattr(t, f"{target}_breached_at")
                or (met_at and due and met_at > due)
                or (met_at is None and due and due < now and is_open)
            ):
                figures[f"{target}_breached"] += 1
            elif met_at and due and met_at <= due:
                figures[f"{target}_met"] += 1
            elif t.agreement_id and is_open:
                figures[f"{target}_pending"] += 1
    return figures


def as_dict(figures: Compliance) -> dict:
    return {name: getattr(figures, name) for name in FIGURES}


def groups(dashboard) -> dict:
    return {
        "summary": dashboard.summary,
        "trend": dashboard.trend,
        "services": {g.key: g.figures for g in dashboard.by_service},
        "departments": {g.key: g.figures for g in dashboard.by_department},
        "priorities": {g.key: g.figures for g in dashboard.by_priority},
    }


@pytest.mark.parametrize(
    "seed", [1, pytest.param(2, marks=pytest.mark.slow), pytest.param(3, marks=pytest.mark.slow)]
)
def test_the_daily_totals_and_the_requests_give_the_same_figures(
    request, finance, staff, seed, django_assert_max_num_queries
):
    rng = random.Random(seed)
    random_requests(rng, request.getfixturevalue("agreement"), staff, 400)
    departments = list(
        Ticket.objects.values_list("provider", flat=True).distinct().order_by("provider")
    )
    periods = [WEEK, Period("custom", date(2026, 11, 1), date(2026, 11, 25))]
    for _ in range(4):
        first = date(2026, 11, 1) + timedelta(days=rng.randrange(25))
        periods.append(Period("custom", first, first + timedelta(days=rng.randrange(1, 20))))
    from departments.models import Department

    cases = [
        (Department.objects.get(pk=pk), side, period)
        for pk in departments
        for side in (SUPPLIER, CUSTOMER)
        for period in periods
    ]
    live = [groups(department_dashboard(d, side, p, NOW)) for d, side, p in cases]
    live_scores = [company_facts(p, NOW) for p in periods]
    rollup_refresh(now=NOW)
    assert CountedDay.objects.filter(settled=True).count() >= 15
    for (department, side, period), before in zip(cases, live, strict=True):
        dashboard = department_dashboard(department, side, period, NOW)
        assert groups(dashboard) == before, (department, side, period)
        scope = {"customer" if side == CUSTOMER else "provider": department}
        tickets = Ticket.objects.filter(
            **scope, filed_at__gte=period.since, filed_at__lt=period.until
        )
        assert as_dict(dashboard.summary) == expected(tickets, NOW)
    settled_read = 0
    for period, before in zip(periods, live_scores, strict=True):
        with django_assert_max_num_queries(3):
            company = company_facts(period, NOW)
        settled_read += company.source.settled_days
        rows = [(r.department, r.rank, r.current, r.previous) for r in scorecard(company)]
        assert rows == [(r.department, r.rank, r.current, r.previous) for r in scorecard(before)]
        assert heat_map(company).cells == heat_map(before).cells
    assert settled_read > 0


def test_pages_reading_both_the_totals_and_the_requests_take_a_constant_number_of_queries(
    client, head, finance_week, finance, django_assert_max_num_queries, clock_at
):
    close_all(NOW)
    rollup_refresh(now=NOW)
    client.force_login(head)
    query = {"period": "custom", "from": "2026-11-20", "to": "2026-11-25"}
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("dashboards:department", args=[finance.code]), query)
    source = response.context["dashboard"].source
    assert (source.settled_days, source.live_days) == (2, 4)  # 23 and 24 counted; 20-22 never
    with django_assert_max_num_queries(SCORECARD_QUERIES):
        response = client.get(reverse("dashboards:scorecard"), query)
    assert response.context["company"].source.settled_days == 2


def test_the_note_on_the_figures_reads_in_chinese(client, head, finance_week, finance):
    close_all(NOW)
    rollup_refresh(now=NOW - timedelta(minutes=4))
    client.force_login(head)
    url = reverse("dashboards:department", args=[finance.code])
    query = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}
    response = client.get(url, query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "数据截至 09:00。" in response.text
    assert "其中 2 天的请求已全部关闭" in response.text


def test_a_departments_totals_come_grouped_by_each_key_on_its_own(finance_week, finance):
    from dashboards.models import DailyCount as Totals
    from dashboards.rollup import period_facts

    close_all(NOW)
    later = NOW + timedelta(days=3)
    rollup_refresh(now=later)
    keys = ("service_id", "customer_id", "priority", "week")
    rows, source = period_facts(
        Ticket.objects.filter(provider=finance),
        Totals.objects.filter(provider=finance),
        WEEK.first,
        WEEK.last,
        later,
        keys,
        live={},
        separately=True,
    )
    assert source.live_days == 0
    assert all(sum(row[key] is not None for key in keys) == 1 for row in rows)  # GROUPING SETS
    assert sum(row["received"] for row in rows if row["priority"]) == 8
