"""Who was late in a chain (Rules of the clock 10): a request with hand-offs (tickets.hand_offs)
split into the working time each department spent on it, each with whether it met its targets.

A chain is finished when its parent is resolved. The parent's department is counted the working
time from the start of its resolution clock to its resolution, on its calendar, less the spans
it waited on an attached hand-off or on its requester; each hand-off's department the working
time from its filing to its resolution (or its end), on its own calendar, less the spans it
waited on its own requester. Detached hand-offs are not part of the chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from agreements.clock import BusinessClock
from departments.models import Department
from tickets.models import Pause, Ticket
from tickets.selectors import clocks_by_calendar

CHAINS_SHOWN = 20
Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class Segment:
    """One department's part of a chain."""

    department: Department
    reference: str
    working_time: timedelta | None  # None: no agreement, so no calendar to count on
    met: bool | None  # every decided target met; None while none is decided

    @property
    def breached(self) -> bool:
        return self.met is False


@dataclass(frozen=True)
class Chain:
    parent: Ticket
    finished_at: datetime
    segments: list[Segment]

    @property
    def late(self) -> list[Department]:
        return [segment.department for segment in self.segments if segment.breached]


def merged(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in order."""
    result: list[Span] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def working_time_outside(
    clock: BusinessClock, start: datetime, end: datetime, spans: Iterable[Span]
) -> timedelta:
    """Working time from `start` to `end` on `clock` outside `spans` (clipped to it)."""
    inside = [(max(a, start), min(b, end)) for a, b in spans if b > start and a < end]
    taken = sum((clock.between(a, b) for a, b in merged(inside)), timedelta())
    return clock.between(start, end) - taken if end > start else timedelta()


def _met(ticket: Ticket) -> bool | None:
    decided = [m for m in (ticket.first_response_met, ticket.resolution_met) if m is not None]
    return all(decided) if decided else None


def finished_chains(
    department: Department,
    customer_side: bool,
    since: datetime,
    until: datetime,
    parents: QuerySet[Ticket] | None = None,
    clocks: dict[int, BusinessClock] | None = None,
) -> list[Chain]:
    """The chains finished from `since` to `until` that `department` took part in as a
    supplier (the parent's provider or a hand-off's), or, `customer_side`, whose parent it
    filed; the latest first. At most three queries (and the calendars without `clocks`),
    whatever the number of chains; one when there is none."""
    with_children = Ticket.objects.filter(parent__isnull=False, detached_at__isnull=True)
    chains = (parents if parents is not None else Ticket.objects.all()).filter(
        pk__in=with_children.values("parent_id"),
        resolved_at__gte=since,
        resolved_at__lt=until,
    )
    if customer_side:
        chains = chains.filter(customer=department)
    else:
        chains = chains.filter(
            Q(provider=department)
            | Q(pk__in=with_children.filter(provider=department).values("parent_id"))
        )
    parents_list = list(
        chains.select_related("provider", "agreement").order_by("-resolved_at", "-pk")
    )
    if not parents_list:
        return []
    children = list(
        with_children.filter(parent__in=[p.pk for p in parents_list])
        .select_related("provider", "agreement")
        .order_by("filed_at", "pk")
    )
    ids = [p.pk for p in parents_list] + [c.pk for c in children]
    waits: dict[int, list[Span]] = {}
    for ticket_id, reason, start, end in Pause.objects.filter(
        ticket__in=ids, reason__in=[Pause.Reason.WAITING, Pause.Reason.CHILD]
    ).values_list("ticket", "reason", "started_at", "ended_at"):
        # A hand-off's wait is counted from the hand-offs themselves, open or not.
        if reason == Pause.Reason.WAITING:
            waits.setdefault(ticket_id, []).append((start, end or until))
    if clocks is None:
        clocks = clocks_by_calendar(
            {t.agreement.calendar_id for t in [*parents_list, *children] if t.agreement}
        )
    by_parent: dict[int, list[Ticket]] = {}
    for child in children:
        by_parent.setdefault(child.parent_id, []).append(child)
    return [_chain(parent, by_parent.get(parent.pk, []), waits, clocks) for parent in parents_list]


def _chain(
    parent: Ticket, children: list[Ticket], waits: dict[int, list[Span]], clocks: dict
) -> Chain:
    finished = parent.resolved_at
    child_spans = [(child.filed_at, _end(child) or finished) for child in children]
    segments = [
        Segment(
            parent.provider,
            parent.reference,
            _time(
                parent,
                clocks,
                parent.resolution_started_at or parent.filed_at,
                finished,
                [*waits.get(parent.pk, []), *child_spans],
            ),
            _met(parent),
        )
    ]
    for child in children:
        segments.append(
            Segment(
                child.provider,
                child.reference,
                _time(
                    child, clocks, child.filed_at, _end(child) or finished, waits.get(child.pk, [])
                ),
                _met(child),
            )
        )
    return Chain(parent, finished, segments)


def _end(ticket: Ticket) -> datetime | None:
    return ticket.resolved_at or ticket.closed_at


def _time(ticket: Ticket, clocks: dict, start: datetime, end: datetime, spans) -> timedelta | None:
    if ticket.agreement is None:
        return None
    return working_time_outside(clocks[ticket.agreement.calendar_id], start, end, spans)
