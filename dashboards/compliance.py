"""Compliance arithmetic in SQL: every figure of a dashboard is a conditional COUNT (or AVG) over
the requests of a department and period, grouped by whatever the table shows.

For each target of a request (first response, resolution):

- **breached**: the breach scan flagged it, or it was met after its due time, or it is unmet on an
  open request past its due time (the scan flags those within a minute). A breach stays a breach
  when the request is later done, reopened or re-prioritised.
- **met**: met at or before its due time, and never breached.
- **pending**: on an open request, neither met nor breached yet (running, paused, or waiting on
  approvals).
- Requests with no agreement have no targets: they count as received, never in compliance.
- Compliance is met / (met + breached): pending targets are not decided yet.

A reopened request's resolution is judged by its last resolution, on the clock that resumed where
it stood (rule 6), so it can turn from met to breached, never back once flagged.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from django.db.models import Avg, Count, F, Q, QuerySet

from tickets.models import OPEN_STATUSES, Ticket

TARGETS = {
    "first_response": "first_responded_at",
    "resolution": "resolved_at",
}


def breached_q(target: str, now: datetime) -> Q:
    met = TARGETS[target]
    due = f"{target}_due_at"
    return (
        Q(**{f"{target}_breached_at__isnull": False})
        | Q(**{f"{met}__isnull": False, f"{met}__gt": F(due)})
        | Q(**{f"{met}__isnull": True, f"{due}__lt": now, "status__in": OPEN_STATUSES})
    )


def met_q(target: str) -> Q:
    met = TARGETS[target]
    return Q(
        **{
            f"{met}__isnull": False,
            f"{target}_due_at__isnull": False,
            f"{met}__lte": F(f"{target}_due_at"),
            f"{target}_breached_at__isnull": True,
        }
    )


def pending_q(target: str, now: datetime) -> Q:
    return (
        Q(agreement__isnull=False, status__in=OPEN_STATUSES)
        & ~met_q(target)
        & ~breached_q(target, now)
    )


def outcome_q(outcome: str, target: str, now: datetime) -> Q:
    """The requests behind one figure: `outcome` met, breached or pending for `target`."""
    return {"met": met_q, "breached": breached_q, "pending": pending_q}[outcome](
        target, *([] if outcome == "met" else [now])
    )


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
    rated: int = 0
    mean_rating: float | None = None

    @classmethod
    def of(cls, row: dict) -> Compliance:
        return cls(**{f.name: row.get(f.name) or f.default for f in fields(cls)})

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
    def decided(self) -> int:
        return self.met + self.breached

    @property
    def rate(self) -> float | None:
        """Both targets together: met / decided, in percent."""
        return _rate(self.met, self.breached)


def _rate(met: int, breached: int) -> float | None:
    return 100 * met / (met + breached) if met + breached else None


def metrics(now: datetime, within: Q | None = None, prefix: str = "") -> dict:
    """The aggregates of `Compliance`, each counted only over the rows matching `within`."""

    def count(condition: Q | None = None) -> Count:
        conditions = [c for c in (within, condition) if c is not None]
        if not conditions:
            return Count("pk")
        combined = conditions[0]
        for condition in conditions[1:]:
            combined &= condition
        return Count("pk", filter=combined)

    aggregates = {
        "received": count(),
        "no_agreement": count(Q(agreement__isnull=True)),
        "rated": count(Q(rating__isnull=False)),
        "mean_rating": Avg("rating", filter=within) if within is not None else Avg("rating"),
    }
    for target in TARGETS:
        aggregates[f"{target}_met"] = count(met_q(target))
        aggregates[f"{target}_breached"] = count(breached_q(target, now))
        aggregates[f"{target}_pending"] = count(pending_q(target, now))
    return {f"{prefix}{name}": aggregate for name, aggregate in aggregates.items()}


def filed_within(tickets: QuerySet[Ticket], since: datetime, until: datetime) -> QuerySet[Ticket]:
    return tickets.filter(filed_at__gte=since, filed_at__lt=until)


def summary(tickets: QuerySet[Ticket], now: datetime) -> Compliance:
    """One query: the figures of all of `tickets`."""
    return Compliance.of(tickets.aggregate(**metrics(now)))


@dataclass
class Group:
    key: object
    label: str
    figures: Compliance


def breakdown(
    tickets: QuerySet[Ticket], now: datetime, key: str, label: str | None = None
) -> list[Group]:
    """One query: the figures of `tickets` grouped by `key` (e.g. "service"), most breaches
    first; `label` names the column that gives each group its name."""
    columns = [key, label] if label else [key]
    rows = tickets.order_by().values(*columns).annotate(**metrics(now))
    groups = [
        Group(row[key], str(row[label]) if label else str(row[key]), Compliance.of(row))
        for row in rows
    ]
    groups.sort(key=lambda g: (-g.figures.breached, -g.figures.received, g.label))
    return groups
