"""Compliance arithmetic in SQL: every figure of a dashboard is a conditional COUNT (or AVG) over
the requests of a department and period, grouped by whatever the table shows.

For each target of a request (first response, resolution):

- **breached**: the breach scan flagged it, or it was met after its due time, or it is unmet on an
  open request past its due time (the scan flags those within a minute). A breach stays a breach
  when the request is later done, reopened or re-prioritised.
- **met**: met at or before its due time, and never breached.
- **waived**: breached, but a dispute of that breach was decided in the provider's favour
  (disputes app): the breach stays on record, the target leaves met, breached and pending alike,
  so compliance is met / (met + breached) without it everywhere these figures are read.
- **pending**: on an open request, neither met nor breached yet (running, paused, or waiting on
  approvals).
- Requests with no agreement have no targets: they count as received, never in compliance.
- Compliance is met / (met + breached): pending targets are not decided yet.

For the confirmation of results (rule of the clock 7): **resolved** counts the requests whose
result stands (resolved now, or closed after it), **confirmed** those confirmed, by their
requester or by themselves at the end of the agreement's confirmation period, and
**auto_confirmed** the latter. The confirmation rate is confirmed / resolved (results still
awaiting an answer count against it); the share confirmed automatically is auto_confirmed /
confirmed.

The customer's duty (rule of the clock 8): **duty_met** and **duty_breached** judge the
requester's answer (`requester_answered_at` against `requester_answer_due_at`) as a target is
judged; they count for the customer department and stay out of the provider's compliance.

Each page reads its requests once: `facts` counts every outcome of every target in SQL (one
filtered COUNT each) per group (service, customer, priority, week…); the figures of each table are
then sums over those few group rows, never a loop over requests. The daily totals
(dashboards.rollup) are the same `facts`, grouped by day, kept by a Celery job.

A reopened request's resolution is judged by its last resolution, on the clock that resumed where
it stood (rule 6), so it can turn from met to breached, never back once flagged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from dashboards.models import FIGURES
from tickets.models import OPEN_STATUSES, Ticket

TARGETS = {
    "first_response": "first_responded_at",
    "resolution": "resolved_at",
}
# The customer's duty (rule of the clock 8): judged like a target, counted for the customer
# department (the "as customer: our duties" figures), never in the provider's compliance.
DUTIES = {"requester_answer": "requester_answered_at"}
MET_COLUMNS = {**TARGETS, **DUTIES}


def waived_q(target: str) -> Q:
    return Q(**{f"{target}_waived_at__isnull": False})


def not_waived_q(target: str) -> Q:
    if target in DUTIES:  # the customer's duty is not disputed (rule 9 is about the provider)
        return Q()
    return Q(**{f"{target}_waived_at__isnull": True})


def breached_q(target: str, now: datetime) -> Q:
    met = MET_COLUMNS[target]
    due = f"{target}_due_at"
    return (
        Q(**{f"{target}_breached_at__isnull": False})
        | Q(**{f"{met}__isnull": False, f"{met}__gt": F(due)})
        | Q(**{f"{met}__isnull": True, f"{due}__lt": now, "status__in": OPEN_STATUSES})
    ) & not_waived_q(target)


def met_q(target: str) -> Q:
    met = MET_COLUMNS[target]
    return Q(
        **{
            f"{met}__isnull": False,
            f"{target}_due_at__isnull": False,
            f"{met}__lte": F(f"{target}_due_at"),
            f"{target}_breached_at__isnull": True,
        }
    ) & not_waived_q(target)


def pending_q(target: str, now: datetime) -> Q:
    return (
        Q(agreement__isnull=False, status__in=OPEN_STATUSES)
        & ~met_q(target)
        & ~breached_q(target, now)
        & not_waived_q(target)
    )


def outcome_q(outcome: str, target: str, now: datetime) -> Q:
    """The requests behind one figure: `outcome` met, breached, pending or waived for
    `target`."""
    if outcome == "met":
        return met_q(target)
    if outcome == "waived":
        return waived_q(target)
    return {"breached": breached_q, "pending": pending_q}[outcome](target, now)


@dataclass
class Compliance:
    """The figures of one row of a dashboard table (or of the whole department)."""

    received: int = 0
    no_agreement: int = 0
    first_response_met: int = 0
    first_response_breached: int = 0
    first_response_pending: int = 0
    resolution_met: int = 0
    resolution_breached: int = 0
    resolution_pending: int = 0
    first_response_waived: int = 0
    resolution_waived: int = 0
    rated: int = 0
    rating_sum: int = 0
    resolved: int = 0
    confirmed: int = 0
    auto_confirmed: int = 0
    duty_met: int = 0
    duty_breached: int = 0

    def add(self, fact: dict) -> None:
        """Count in one row of `facts` (or of the daily totals): requests of the same group."""
        figures = self.__dict__  # a page adds up thousands of rows: no getattr/setattr
        for name in FIGURES:
            figures[name] += fact[name] or 0

    @property
    def mean_rating(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    @property
    def confirmation_rate(self) -> float | None:
        """Results confirmed (by the requester or automatically) of those delivered, in percent."""
        return 100 * self.confirmed / self.resolved if self.resolved else None

    @property
    def auto_confirmed_share(self) -> float | None:
        """Confirmations that happened by themselves (nobody answered), in percent."""
        return 100 * self.auto_confirmed / self.confirmed if self.confirmed else None

    @property
    def duty_rate(self) -> float | None:
        """The customer's answer duty: met / (met + breached), in percent."""
        return _rate(self.duty_met, self.duty_breached)

    @property
    def first_response_rate(self) -> float | None:
        return _rate(self.first_response_met, self.first_response_breached)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolution_met, self.resolution_breached)

    @property
    def met(self) -> int:
        return self.first_response_met + self.resolution_met

    @property
    def breached(self) -> int:
        return self.first_response_breached + self.resolution_breached

    @property
    def waived(self) -> int:
        """Breaches waived by a dispute: on record, but counted neither as met nor breached."""
        return self.first_response_waived + self.resolution_waived

    @property
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        """Both targets together: met / decided, in percent."""
        return _rate(self.met, self.breached)


def _rate(met: int, breached: int) -> float | None:
    return 100 * met / (met + breached) if met + breached else None


def figure_aggregates(now: datetime) -> dict:
    """The aggregates of FIGURES over requests, each outcome by the same condition as the link
    to the requests behind it (met, breached and pending exclude one another)."""
    aggregates = {
        "received": Count("pk"),
        "no_agreement": Count("pk", filter=Q(agreement__isnull=True)),
        "rated": Count("rating"),
        "rating_sum": Coalesce(Sum("rating"), 0),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "confirmed": Count("pk", filter=Q(confirmed_at__isnull=False)),
        "auto_confirmed": Count("pk", filter=Q(confirmed_automatically=True)),
    }
    for target in TARGETS:
        aggregates[f"{target}_met"] = Count("pk", filter=met_q(target))
        aggregates[f"{target}_breached"] = Count("pk", filter=breached_q(target, now))
        aggregates[f"{target}_pending"] = Count("pk", filter=pending_q(target, now))
        aggregates[f"{target}_waived"] = Count("pk", filter=waived_q(target))
    aggregates["duty_met"] = Count("pk", filter=met_q("requester_answer"))
    aggregates["duty_breached"] = Count("pk", filter=breached_q("requester_answer", now))
    return aggregates


def facts(tickets: QuerySet[Ticket], now: datetime, *keys: str, **expressions) -> list[dict]:
    """One query: `tickets` counted by `keys` (columns, or names of `expressions`), each row
    holding FIGURES. The rows are few (one per group) whatever the number of requests;
    `Compliance.add` sums them into the figures of any coarser grouping."""
    return list(facts_query(tickets, now, *keys, **expressions))


def facts_query(tickets: QuerySet[Ticket], now: datetime, *keys: str, **expressions) -> QuerySet:
    return (
        tickets.annotate(**expressions).order_by().values(*keys).annotate(**figure_aggregates(now))
    )


def keyed(rows: Iterable[dict], key: str) -> list[dict]:
    """The rows that count towards a grouping by `key`: all of them, except rows of another
    grouping set (dashboards.rollup.period_facts `separately`), whose `key` is None."""
    return [row for row in rows if row[key] is not None]


def grouped(rows: Iterable[dict], key: Callable[[dict], object]) -> dict[object, Compliance]:
    """The figures of each group of fact rows, by `key` of a row."""
    groups: dict[object, Compliance] = defaultdict(Compliance)
    for row in rows:
        groups[key(row)].add(row)
    return dict(groups)


def total(rows: Iterable[dict]) -> Compliance:
    figures = Compliance()
    for row in rows:
        figures.add(row)
    return figures


def filed_within(tickets: QuerySet[Ticket], since: datetime, until: datetime) -> QuerySet[Ticket]:
    return tickets.filter(filed_at__gte=since, filed_at__lt=until)


@dataclass
class Group:
    key: object
    label: str
    figures: Compliance


def breakdown(
    rows: Iterable[dict], key: str, labels: dict[object, str] | None = None
) -> list[Group]:
    """The figures of fact rows grouped by `key` (e.g. "service_id"), most breaches first; each
    group named by `labels` (by the key itself without them)."""
    groups = [
        Group(value, str(labels.get(value, value)) if labels else str(value), figures)
        for value, figures in grouped(keyed(rows, key), lambda row: row[key]).items()
    ]
    groups.sort(key=lambda g: (-g.figures.breached, -g.figures.received, g.label))
    return groups
