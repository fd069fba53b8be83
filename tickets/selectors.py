"""Reads of the requests pages: who sees which request, the lists and the queue, and how urgent
each request is on its business clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.db.models import Case, F, Q, QuerySet, When
from django.db.models.functions import Coalesce, Least

from agreements.clock import BusinessClock
from agreements.models import BusinessCalendar
from departments.models import Department, Membership, acting_for
from tickets.models import OPEN_STATUSES, Approval, Pause, Status, Ticket
from tickets.sla import working_time_left
from tickets.time_left import (
    left_when_paused,
    left_when_resumed,
    time_left_phrase,
    working_day,
)


def with_next_due(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `next_warn_at`: the earliest stored warning time of an open request's unmet
    targets. Their earliest due time is the stored column `next_due_at` (kept by
    `Ticket.save()`), which the queue's indexes are sorted by."""
    return tickets.annotate(next_warn_at=_earliest_unmet_warning())


def _earliest_unmet_warning() -> Case:
    """The earliest warning time of the unmet targets whose clock runs, on an open request.
    LEAST of two COALESCEs, because SQLite's LEAST is NULL on any NULL."""
    first_response = Case(
        When(
            first_responded_at__isnull=True,
            first_response_due_at__isnull=False,
            then=F("first_response_warn_at"),
        ),
        default=None,
    )
    resolution = Case(
        When(
            resolved_at__isnull=True,
            resolution_due_at__isnull=False,
            then=F("resolution_warn_at"),
        ),
        default=None,
    )
    return Case(
        When(
            status__in=OPEN_STATUSES,
            then=Least(Coalesce(first_response, resolution), Coalesce(resolution, first_response)),
        ),
        default=None,
    )


def about_to_breach_q(now: datetime) -> Q:
    """Open requests about to breach: an unmet target is past the warning time the agreement's
    threshold set (the time the breach scan warns at) and none is overdue yet. On a queryset
    annotated by `with_next_due`; `is_about_to_breach` says the same of one request."""
    return Q(next_warn_at__lte=now, next_due_at__gte=now)


def is_about_to_breach(ticket: Ticket, now: datetime) -> bool:
    """`about_to_breach_q` for one request annotated by `with_next_due`."""
    return (
        ticket.next_warn_at is not None
        and ticket.next_due_at is not None
        and ticket.next_warn_at <= now <= ticket.next_due_at
    )


def for_lists(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """What a list row shows, and what its urgency needs, without a query per row."""
    return with_next_due(tickets).select_related(
        "service", "provider", "customer", "requester", "assignee", "agreement"
    )


def for_long_lists(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """`for_lists` for the lists read from every request (the queue, my requests): the optional
    assignee and agreement are read apart (two small queries), because outer joins of them on
    top of the others make PostgreSQL plan the page for longer (40 ms against 2 ms on
    bench/ticket_queue.py's table) than it takes to read it."""
    return (
        with_next_due(tickets)
        .select_related("service", "provider", "customer", "requester")
        .prefetch_related("assignee", "agreement")
    )


def my_requests(user, status: str = "") -> QuerySet[Ticket]:
    """The requests `user` filed, newest first; `status` is "open", a status, or "" for all.
    (A requester always sees their own requests: no wider visibility rule is needed.)"""
    tickets = for_long_lists(Ticket.objects.filter(requester=user))
    return _by_status(tickets, status).order_by("-filed_at", "-pk")


def queue_departments(user) -> QuerySet[Department]:
    """The departments whose queue `user` works: as agent or head (every one, for an
    administrator)."""
    if user.is_superuser:
        return Department.objects.filter(services__isnull=False).distinct().order_by("name")
    return Department.objects.filter(
        pk__in=Membership.objects.agents().filter(user=user).values("department")
    ).order_by("name")


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    service: int | None = None
    priority: str = ""
    assignee: str | int = ""  # "mine", "unassigned", a user's id, or "" for anyone


def queue(user, department: Department, filters: QueueFilters) -> QuerySet[Ticket]:
    """A provider department's requests, the next due first; requests with no clock last. Only
    for those who work its queue (`queue_departments`: its agents and head see every request it
    receives); nobody else's. Read through the indexes on (provider, …, next_due_at, id)."""
    tickets = Ticket.objects.filter(provider=department, provider__in=queue_departments(user))
    tickets = _by_status(tickets, filters.status)
    if filters.service:
        tickets = tickets.filter(service_id=filters.service)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.assignee == "mine":
        tickets = tickets.filter(assignee=user)
    elif filters.assignee == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    elif isinstance(filters.assignee, int):
        tickets = tickets.filter(assignee_id=filters.assignee)
    return for_long_lists(tickets).order_by(F("next_due_at").asc(nulls_last=True), "pk")


def _by_status(tickets: QuerySet[Ticket], status: str) -> QuerySet[Ticket]:
    if status == "open":
        return tickets.filter(status__in=OPEN_STATUSES)
    if status in Status.values:
        return tickets.filter(status=status)
    return tickets


def awaiting_approval(user, on: date) -> QuerySet[Approval]:
    """Current approval steps that `user` decides on `on`: their own, and those of whoever
    delegated to them. The most pressing first."""
    return (
        Approval.objects.filter(
            current_since__isnull=False,
            decision="",
            ticket__status=Status.APPROVAL_PENDING,
            approver__in=acting_for(user, on),
        )
        .select_related(
            "approver",
            "ticket__service",
            "ticket__provider",
            "ticket__customer",
            "ticket__requester",
        )
        .order_by(F("due_at").asc(nulls_last=True), "current_since", "pk")
    )


@dataclass(frozen=True)
class Urgency:
    """How pressing an open request is: "overdue", "due_soon", "on_track", "paused",
    "no_agreement", or "" when nothing runs (a request that is over)."""

    level: str
    due_at: datetime | None = None
    left: timedelta | None = None  # paused: what is left when the clock resumes
    day: timedelta | None = None  # a working day of the provider's calendar

    @property
    def phrase(self) -> str:
        """How people read it: "3 h 20 min of working time left", "overdue by 1 h 5 min"."""
        return time_left_phrase(self.level, self.left, self.day)


def set_urgency(
    tickets: Iterable[Ticket], now: datetime, clocks: dict[int, BusinessClock] | None = None
) -> None:
    """Give every ticket (annotated by `with_next_due`) an `urgency`. A request is due soon when
    it is about to breach: past the warning time of its agreement's threshold (75 % of the
    target by default). `clocks` by calendar, when the caller has read them already."""
    tickets = list(tickets)
    if clocks is None:
        clocks = clocks_by_calendar({t.agreement.calendar_id for t in tickets if t.agreement})
    days = {pk: working_day(clock, now) for pk, clock in clocks.items()}
    resumes_with = left_when_paused(
        [t for t in tickets if t.next_due_at is None and t.status in OPEN_STATUSES], clocks
    )
    for ticket in tickets:
        urgency = _urgency(ticket, now, clocks)
        if ticket.agreement is not None:
            left = resumes_with.get(ticket.pk) if urgency.level == "paused" else urgency.left
            urgency = replace(urgency, left=left, day=days[ticket.agreement.calendar_id])
        ticket.urgency = urgency


def _urgency(ticket: Ticket, now: datetime, clocks: dict[int, BusinessClock]) -> Urgency:
    if ticket.status not in OPEN_STATUSES:
        return Urgency("")
    due_at = ticket.next_due_at
    if due_at is None:
        if ticket.paused_at is not None:
            return Urgency("paused")
        return Urgency("no_agreement" if ticket.agreement is None else "")
    left = working_time_left(clocks[ticket.agreement.calendar_id], now, due_at)
    if due_at < now:
        return Urgency("overdue", due_at, left)
    if is_about_to_breach(ticket, now):
        return Urgency("due_soon", due_at, left)
    return Urgency("on_track", due_at, left)


def clocks_by_calendar(calendar_ids: Iterable[int] | None = None) -> dict[int, BusinessClock]:
    """The business clocks of some calendars (of every calendar without `calendar_ids`), in
    three queries however many there are."""
    calendars = BusinessCalendar.objects.prefetch_related("days", "closures")
    if calendar_ids is not None:
        calendars = calendars.filter(pk__in=set(calendar_ids))
    return {calendar.pk: calendar.as_clock() for calendar in calendars}


@dataclass(frozen=True)
class TargetClock:
    """One target of a request as its page shows it."""

    name: str  # "first_response" or "resolution"
    state: str  # "met", "missed", "running", "overdue", "paused", "waiting_approval", "stopped"
    due_at: datetime | None
    met_at: datetime | None = None
    left: timedelta | None = None  # paused: what is left when the clock resumes
    day: timedelta | None = None  # a working day of the provider's calendar

    @property
    def phrase(self) -> str:
        """The working time left as people read it, for a running, overdue or paused target."""
        if self.state in ("running", "overdue", "paused"):
            level = "on_track" if self.state == "running" else self.state
            return time_left_phrase(level, self.left, self.day)
        return ""


def target_clocks(
    ticket: Ticket, now: datetime, clock: BusinessClock | None = None
) -> list[TargetClock]:
    """The first-response and resolution targets of a request with an agreement, each with its
    due time and what is left of it in working time (on `clock`, its agreement's calendar, read
    here unless given); [] without an agreement or a target."""
    agreed = ticket.agreement and ticket.agreement.target_for(ticket.priority)
    if not agreed:
        return []
    clock = clock or ticket.agreement.calendar.as_clock()
    day = working_day(clock, now)
    pauses = None
    targets = []
    for name, due_at, met_at in (
        ("first_response", ticket.first_response_due_at, ticket.first_responded_at),
        ("resolution", ticket.resolution_due_at, ticket.resolved_at),
    ):
        if met_at is not None:
            state = "met" if due_at is None or met_at <= due_at else "missed"
            targets.append(TargetClock(name, state, due_at, met_at))
        elif ticket.status not in OPEN_STATUSES:
            targets.append(TargetClock(name, "stopped", due_at))
        elif due_at is None:
            if name == "resolution" and ticket.resolution_started_at is None:
                targets.append(TargetClock(name, "waiting_approval", None))
                continue
            left = None
            if ticket.paused_at is not None:
                if pauses is None:
                    pauses = list(ticket.pauses.values_list("started_at", "ended_at"))
                start = ticket.filed_at
                if name == "resolution":
                    start = ticket.resolution_started_at
                duration = getattr(agreed, name)
                left = left_when_resumed(clock, start, duration, pauses, ticket.paused_at)
            targets.append(TargetClock(name, "paused", None, left=left, day=day))
        else:
            left = working_time_left(clock, now, due_at)
            state = "overdue" if due_at < now else "running"
            targets.append(TargetClock(name, state, due_at, left=left, day=day))
    return targets


# What the clock of a paused request waits on, as its page and the API name it.
WAITING_ON = {Pause.Reason.WAITING.value: "requester", Pause.Reason.CHILD.value: "hand_off"}


def waiting_on(ticket: Ticket) -> dict[str, datetime]:
    """What the clock of an open request waits on now, and since when: "requester" (its answer
    to a question), "hand_off" (a hand-off, when its agreement pauses for them), or both."""
    if ticket.paused_at is None or ticket.status not in OPEN_STATUSES:
        return {}
    pauses = ticket.pauses.filter(ended_at__isnull=True, reason__in=list(WAITING_ON))
    open_since = pauses.values_list("reason", "started_at")
    return {WAITING_ON[reason]: since for reason, since in open_since}
