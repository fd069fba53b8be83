"""Median and 90th-percentile times to first response and to resolution, in working hours.

Working time depends on each agreement's business calendar (holidays, split shifts, time zones),
which SQL cannot see, so these two figures are computed on the business clock from a bounded
sample: the SAMPLE_SIZE most recently filed requests of the period that met the target (on time or
late). The sample costs a constant number of queries however long the period; the page says when
the figures come from a sample rather than from every request.

- First response: working time from filing to the first response (nothing pauses that clock
  before a first response: asking the requester is itself a response).
- Resolution: working time from the start of the resolution clock to the resolution, less the
  paused spans (waiting on the requester; resolved until reopened).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from agreements.clock import BusinessClock
from tickets.models import Pause, Ticket

SAMPLE_SIZE = 500


@dataclass(frozen=True)
class Durations:
    median: timedelta | None
    p90: timedelta | None
    count: int
    sampled: bool  # True when more requests met the target than the sample holds


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    """Linear interpolation between the closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def durations(values: list[timedelta], sampled: bool) -> Durations:
    return Durations(percentile(values, 0.5), percentile(values, 0.9), len(values), sampled)


def working_durations(
    tickets: QuerySet[Ticket], clocks: dict[int, BusinessClock]
) -> dict[str, Durations]:
    """Two queries (the sample and its pauses): {"first_response": …, "resolution": …}."""
    result = {}
    for target, start, end in (
        ("first_response", "filed_at", "first_responded_at"),
        ("resolution", "resolution_started_at", "resolved_at"),
    ):
        rows = list(
            tickets.filter(
                Q(**{f"{end}__isnull": False, f"{start}__isnull": False}),
                agreement__isnull=False,
            )
            .order_by("-filed_at", "-pk")
            .values_list("pk", start, end, "agreement__calendar_id")[: SAMPLE_SIZE + 1]
        )
        sampled = len(rows) > SAMPLE_SIZE
        rows = rows[:SAMPLE_SIZE]
        paused = _pauses([row[0] for row in rows]) if target == "resolution" else {}
        values = []
        for pk, began, ended, calendar_id in rows:
            clock = clocks.get(calendar_id)
            if clock is None or ended < began:
                continue
            worked = clock.between(began, ended)
            for pause_start, pause_end in paused.get(pk, ()):
                overlap_start, overlap_end = max(pause_start, began), min(pause_end or ended, ended)
                if overlap_start < overlap_end:
                    worked -= clock.between(overlap_start, overlap_end)
            values.append(worked)
        result[target] = durations(values, sampled)
    return result


def _pauses(ticket_ids: list[int]) -> dict[int, list[tuple[datetime, datetime | None]]]:
    spans: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    if ticket_ids:
        rows = Pause.objects.filter(ticket_id__in=ticket_ids).values_list(
            "ticket_id", "started_at", "ended_at"
        )
        for ticket_id, started_at, ended_at in rows:
            spans[ticket_id].append((started_at, ended_at))
    return spans
