"""Writes of the dashboards: counting the requests of each day into the daily totals
(dashboards.rollup explains how the pages read them)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from dashboards.compliance import FIGURES, facts_query
from dashboards.models import CountedDay, DailyCount, DailyPairCount, RollupMark
from dashboards.periods import day_start, week_of_filing
from dashboards.rollup import counted_on, day_runs, filed_on
from tickets.models import Status, Ticket

# No transition leaves these statuses: the figures of such a request are final.
SETTLED_STATUSES = [Status.CLOSED, Status.CANCELLED, Status.REJECTED]
# A day settles only this long after it ended: a request filed just before midnight may still
# be committing when the job runs just after it.
SETTLING_MARGIN = timedelta(hours=1)
DAILY_KEYS = ("day", "week", "provider_id", "customer_id", "service_id", "priority")
PAIR_KEYS = ("day", "provider_id", "customer_id")


@transaction.atomic
def rollup_refresh(*, now: datetime, everything: bool = False) -> int:
    """Recount into the daily totals the days that can have changed since the last run (or every
    day with `everything`); returns how many days were counted. One transaction, one run at a
    time: killed halfway, it leaves the totals as they were; run twice, it counts the same."""
    RollupMark.objects.get_or_create(pk=1)
    mark = RollupMark.objects.select_for_update().get(pk=1)
    newest = Ticket.objects.aggregate(newest=Max("pk"))["newest"]
    days = _days_to_count(now, mark.last_ticket_id, everything=everything)
    if everything:  # days no request is left on (requests deleted in the admin) go too
        for model in (DailyCount, DailyPairCount, CountedDay):
            model.objects.all().delete()
    if days:
        _count(days, now)
    mark.last_ticket_id = newest
    mark.counted_at = now
    mark.save()
    return len(days)


def rollup_reopen_day(*, ticket: Ticket) -> None:
    """A settled request's figures changed after all (a dispute waived one of its breaches):
    its day is no longer settled, so pages count it from the requests until the next run of
    the job, which counts it again (its requests are all settled) and settles it anew."""
    day = timezone.localdate(ticket.filed_at)
    CountedDay.objects.filter(day=day, settled=True).update(settled=False)


def _filed_day() -> TruncDate:
    return TruncDate("filed_at", tzinfo=timezone.get_current_timezone())


def _days_to_count(now: datetime, last_ticket_id: int | None, *, everything: bool) -> list[date]:
    """Days not settled at their last count whose requests have all settled since, days of
    requests filed (or inserted) since the last run, and days never counted up to today."""
    today = timezone.localdate(now)
    counted = CountedDay.objects.all()
    if everything or last_ticket_id is None or not counted.exists():
        earliest = Ticket.objects.aggregate(first=Min("filed_at"))["first"]
        first = timezone.localdate(earliest) if earliest else today
        return [first + timedelta(days=n) for n in range((today - first).days + 1)]
    # Pages read unsettled days from the requests: only a day whose requests have all settled
    # since its last count needs counting again (to settle it).
    unsettled = set(counted.filter(settled=False).values_list("day", flat=True))
    days = unsettled - _days_with_unsettled_requests(min(unsettled)) if unsettled else set()
    days |= set(
        Ticket.objects.filter(pk__gt=last_ticket_id)
        .annotate(day=_filed_day())
        .values_list("day", flat=True)
        .distinct()
    )
    latest = counted.aggregate(latest=Max("day"))["latest"]
    days |= {latest + timedelta(days=n) for n in range(1, (today - latest).days + 1)}
    return sorted(days)


def _days_with_unsettled_requests(since: date) -> set[date]:
    return set(
        Ticket.objects.filter(filed_at__gte=day_start(since))
        .exclude(status__in=SETTLED_STATUSES)
        .annotate(day=_filed_day())
        .values_list("day", flat=True)
        .distinct()
    )


def _count(days: list[date], now: datetime) -> None:
    runs = day_runs(days)
    DailyCount.objects.filter(counted_on(runs)).delete()
    DailyPairCount.objects.filter(counted_on(runs)).delete()
    tickets = Ticket.objects.filter(filed_on(runs))
    daily = facts_query(
        tickets, now, *DAILY_KEYS, day=_filed_day(), week=week_of_filing()
    ).annotate(unsettled=Count("pk", filter=~Q(status__in=SETTLED_STATUSES)))
    _insert(DailyCount, [*DAILY_KEYS, *FIGURES, "unsettled"], daily)
    pairs = (
        DailyCount.objects.filter(counted_on(runs))
        .values(*PAIR_KEYS)
        .annotate(**{name: Sum(name) for name in FIGURES})
    )
    _insert(DailyPairCount, [*PAIR_KEYS, *FIGURES], pairs)
    per_day = {
        day: (received, unsettled)
        for day, received, unsettled in DailyCount.objects.filter(counted_on(runs))
        .values("day")
        .annotate(received=Sum("received"), unsettled=Sum("unsettled"))
        .values_list("day", "received", "unsettled")
    }
    CountedDay.objects.bulk_create(
        [_counted_day(day, *per_day.get(day, (0, 0)), now) for day in days],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["counted_at", "requests", "unsettled", "settled"],
    )


def _counted_day(day: date, requests: int, unsettled: int, now: datetime) -> CountedDay:
    over = day_start(day + timedelta(days=1)) + SETTLING_MARGIN <= now
    return CountedDay(
        day=day,
        counted_at=now,
        requests=requests,
        unsettled=unsettled,
        settled=over and unsettled == 0,
    )


def _insert(model, fields: list[str], rows: QuerySet) -> None:
    """INSERT … SELECT: the grouped rows go from one table to the other without leaving the
    database. `rows` selects `fields` (columns or aliases of those names), in any order."""
    sql, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    selected = ", ".join(quote(name) for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "
            f"SELECT {selected} FROM ({sql}) AS counted",
            params,
        )
