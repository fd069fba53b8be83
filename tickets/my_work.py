"""The requests part of a person's home ("My work"): their open requests, what waits on them as
requester or approver, their queue in numbers and what is about to breach, and, for a head,
today's breaches and warnings of their department as supplier.

Each read is permission-scoped by construction (the person's own requests, the departments whose
queue they work, the departments they head) and costs a fixed number of queries: lists are cut
at `limit` rows, reading one more to tell whether there are more. Lists read the optional
assignee and agreement apart (`for_long_lists`): joined to the rest, PostgreSQL took 7-70 ms
to plan each list against 1 ms, for a 0.5 ms read (bench/load_pages.py at a million requests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import OuterRef, QuerySet

from common.counts import subquery_count
from departments.models import Department, Membership
from tickets.models import OPEN_STATUSES, Breach, TargetWarning, Ticket
from tickets.selectors import (
    about_to_breach_q,
    awaiting_approval,
    for_long_lists,
    queue_departments,
    with_next_due,
)


@dataclass(frozen=True)
class Rows:
    """The first rows of a list, and whether it goes on."""

    rows: list
    more: bool

    def __bool__(self) -> bool:
        return bool(self.rows)


def first_rows(rows: QuerySet, limit: int) -> Rows:
    """At most `limit` rows, in one query: one row more is read to know whether there are more."""
    found = list(rows[: limit + 1])
    return Rows(found[:limit], len(found) > limit)


def open_requests(user, limit: int) -> Rows:
    """The open requests `user` filed, newest first."""
    tickets = for_long_lists(Ticket.objects.filter(requester=user, status__in=OPEN_STATUSES))
    return first_rows(tickets.order_by("-filed_at", "-pk"), limit)


def requests_waiting_on_requester(user, status: str, limit: int) -> Rows:
    """`user`'s requests in `status`: WAITING (a question is asked of them) or RESOLVED (the
    result is theirs to confirm), the longest waiting first."""
    tickets = for_long_lists(Ticket.objects.filter(requester=user, status=status))
    return first_rows(tickets.order_by("filed_at", "pk"), limit)


def approvals_to_decide(user, on: date, limit: int) -> Rows:
    """The current approval steps `user` decides, their own and as a delegate."""
    return first_rows(awaiting_approval(user, on), limit)


@dataclass(frozen=True)
class QueueFigures:
    """A department's open requests as its agents count them."""

    department: Department
    unassigned: int = 0
    mine: int = 0
    due_soon: int = 0
    overdue: int = 0


def queue_figures(user, now: datetime) -> list[QueueFigures]:
    """For each department whose queue `user` works, its open requests: unassigned, assigned to
    `user`, about to breach and overdue. One query however many departments.

    Each figure is its own count, so that PostgreSQL reads it from the queue's indexes (an
    index-only scan of `ticket_queue_open_assignee` or `ticket_queue_open`) rather than every open
    request of the department: one grouped count with four filters read all of them (50,000
    rows, 180-290 ms, at bench/ticket_queue.py's million requests; some 10 ms this way). Only
    "about to breach" reads rows, those not yet overdue, through the index's next due time."""
    open_here = Ticket.objects.filter(provider=OuterRef("pk"), status__in=OPEN_STATUSES)
    departments = queue_departments(user).annotate(
        unassigned=subquery_count(open_here.filter(assignee__isnull=True)),
        mine=subquery_count(open_here.filter(assignee=user)),
        due_soon=subquery_count(with_next_due(open_here).filter(about_to_breach_q(now))),
        overdue=subquery_count(open_here.filter(next_due_at__lt=now)),
    )
    return [
        QueueFigures(
            department,
            **{
                name: getattr(department, name)
                for name in ("unassigned", "mine", "due_soon", "overdue")
            },
        )
        for department in departments
    ]


def about_to_breach(departments: list[Department], now: datetime, limit: int) -> Rows:
    """Open requests of `departments` (those whose queue the person works, as `queue_figures`
    read them) that are past their warning time and not yet overdue, the next due first."""
    tickets = for_long_lists(
        Ticket.objects.filter(provider__in=departments, status__in=OPEN_STATUSES)
    )
    return first_rows(tickets.filter(about_to_breach_q(now)).order_by("next_due_at", "pk"), limit)


def headed_departments(user) -> QuerySet[Department]:
    return Department.objects.filter(
        pk__in=Membership.objects.heads().filter(user=user).values("department")
    ).order_by("name")


def alerts_since(
    alerts: type[Breach] | type[TargetWarning],
    departments: list[Department],
    since: datetime,
    limit: int,
) -> Rows:
    """Breaches (or warnings) detected since `since` on requests received by `departments` (those
    the person heads, as `headed_departments` read them), the latest first."""
    found = (
        alerts.objects.filter(ticket__provider__in=departments, detected_at__gte=since)
        .select_related("ticket__provider", "ticket__customer", "ticket__service")
        .order_by("-detected_at", "-pk")
    )
    return first_rows(found, limit)
