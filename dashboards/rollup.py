"""The figures of a period, from the daily totals where they are settled and from the requests
themselves for the other days.

The Celery job `dashboards.refresh_rollup` (dashboards.services.rollup_refresh) counts the
requests of each day (filed that day in the company time zone, settings.TIME_ZONE: the days of
the period picker) into dashboards.models.DailyCount, per supplier, customer, service and
priority, and DailyPairCount per supplier and customer. A day is **settled** when, at its last
count, every request filed on it was closed, cancelled or rejected and the day had ended: none of
those requests can change any more (no transition leaves those statuses, no priority change, no
breach), so neither can the day's totals.

Pages add up the totals of the settled days of a period (in SQL, through covering indexes) and
count the other days (today, days with open or resolved but unconfirmed requests, days never
counted) from the requests, as before. The sum is exactly what counting every request now gives,
whenever the job last ran; the job only decides how much is read from the totals.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connections
from django.db.models import Q, QuerySet, Sum

from dashboards.compliance import FIGURES, facts
from dashboards.models import CountedDay
from dashboards.periods import day_start


@dataclass(frozen=True)
class Source:
    """Where a page's figures came from, for the note under them."""

    now: datetime
    settled_days: int  # read from the daily totals
    live_days: int  # counted from the requests
    counted_at: datetime | None  # the last count of the settled days read


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def filed_on(runs: list[tuple[date, date]]) -> Q:
    """Requests filed on the days of `runs` (whole days in the company time zone)."""
    condition = Q(pk__in=[])
    for first, last in runs:
        condition |= Q(
            filed_at__gte=day_start(first), filed_at__lt=day_start(last + timedelta(days=1))
        )
    return condition


def counted_on(runs: list[tuple[date, date]]) -> Q:
    """Daily totals of the days of `runs`."""
    condition = Q(pk__in=[])
    for first, last in runs:
        condition |= Q(day__gte=first, day__lte=last)
    return condition


def period_facts(
    tickets: QuerySet,
    totals: QuerySet | None,
    first: date,
    last: date,
    now: datetime,
    keys: tuple[str, ...],
    live: dict,
    counted: dict | None = None,
    separately: bool = False,
) -> tuple[list[dict], Source]:
    """FIGURES of the days `first` to `last` grouped by `keys`: rows of `totals` (daily totals
    already scoped like `tickets`) for the settled days, rows of `tickets` counted now for the
    others; `live` and `counted` are the expressions of computed keys on each. At most three
    queries, whatever the length of the period. Without `totals` (the requests are narrowed
    further than the totals are kept, e.g. by kind of agreement) every day is counted now.

    `separately`: the totals are grouped by each key on its own where the database can (GROUPING
    SETS): a row of one grouping has None for the other keys (compliance.keyed picks the rows of a
    grouping). A year of a department is then some 80 rows rather than thousands."""
    settled = CountedDay.objects.filter(day__gte=first, day__lte=last, settled=True)
    settled_days = dict(settled.values_list("day", "counted_at")) if totals is not None else {}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    live_runs = day_runs(day for day in days if day not in settled_days)
    rows: list[dict] = []
    if live_runs:
        rows += facts(tickets.filter(filed_on(live_runs)), now, *keys, **live)
    if settled_days:
        daily = (
            totals.filter(counted_on(day_runs(settled_days))).annotate(**(counted or {})).order_by()
        )
        if separately and connections[daily.db].vendor == "postgresql":
            rows += _each_key(daily, keys)
        else:
            rows += daily.values(*keys).annotate(**{name: Sum(name) for name in FIGURES})
    source = Source(
        now=now,
        settled_days=len(settled_days),
        live_days=len(days) - len(settled_days),
        counted_at=max(settled_days.values()) if settled_days else None,
    )
    return rows, source


def _each_key(daily: QuerySet, keys: tuple[str, ...]) -> list[dict]:
    """The FIGURES of the `daily` totals summed by each of `keys` on its own, in one query
    (PostgreSQL's GROUPING SETS, which the ORM does not write): the daily rows, as the ORM
    selects them, are the subquery the sums are taken from."""
    connection = connections[daily.db]
    daily_sql, params = daily.values(*keys, *FIGURES).query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(key) for key in keys)
    sums = ", ".join(f"SUM({quote(name)}) AS {quote(name)}" for name in FIGURES)
    grouping_sets = ", ".join(f"({quote(key)})" for key in keys)
    sql = (
        f"SELECT {columns}, {sums} FROM ({daily_sql}) AS daily "
        f"GROUP BY GROUPING SETS ({grouping_sets})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
