"""Automatic assignment: a service may give each request that reaches its provider's queue to an
agent, by round robin or to whoever has the fewest open requests, skipping people on leave (a
delegation in force today). Called by tickets.services inside their transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from agreements.models import AutoAssign
from departments.models import Delegation, Membership
from tickets.models import OPEN_STATUSES, AssignmentCursor, Event, Ticket


def available_agents(department_id: int) -> list:
    """Who may be given a department's requests today, in a fixed order: its agents not on
    leave; its head only when no agent is available."""
    away = Delegation.objects.in_force(timezone.localdate()).values("person")
    present = (
        Membership.objects.filter(department=department_id)
        .exclude(user__in=away)
        .filter(user__is_active=True)
    )
    for role in (Membership.Role.AGENT, Membership.Role.HEAD):
        people = list(
            get_user_model()
            .objects.filter(pk__in=present.filter(role=role).values("user"))
            .order_by("pk")
        )
        if people:
            return people
    return []


def assign_automatically(ticket: Ticket, *, exclude=None) -> object | None:
    """Give `ticket` to the next agent if its service assigns automatically (leaving `exclude`
    out, e.g. the person who gave it back); sets `ticket.assignee` and writes the timeline; the
    caller saves the request. Returns the person chosen, or None."""
    strategy = ticket.service.auto_assign
    if strategy == AutoAssign.NONE:
        return None
    left_out = getattr(exclude, "pk", None)
    candidates = [
        person for person in available_agents(ticket.provider_id) if person.pk != left_out
    ]
    if not candidates:
        return None
    # One row per service, locked: concurrent filings take turns choosing.
    AssignmentCursor.objects.bulk_create(
        [AssignmentCursor(service_id=ticket.service_id)], ignore_conflicts=True
    )
    cursor = AssignmentCursor.objects.select_for_update().get(service_id=ticket.service_id)
    ordered = _after(candidates, cursor.last_assignee_id)
    if strategy == AutoAssign.FEWEST_OPEN:
        load = _open_requests(ticket, ordered)
        # The fewest open requests; between equals, the round robin's turn.
        ordered = sorted(ordered, key=lambda person: load.get(person.pk, 0))
    chosen = ordered[0]
    cursor.last_assignee = chosen
    cursor.save(update_fields=["last_assignee"])
    ticket.assignee = chosen
    Event.objects.create(
        ticket=ticket,
        kind=Event.Kind.ASSIGNED,
        actor=None,
        at=timezone.now(),
        text=chosen.get_full_name() or chosen.get_username(),
        is_internal=True,
    )
    return chosen


def assign_on_reopening(ticket: Ticket) -> object | None:
    """A reopened request whose assignee is away or no longer works the queue goes to the
    next agent (when its service assigns automatically)."""
    if ticket.service.auto_assign == AutoAssign.NONE:
        return None
    if ticket.assignee_id in {person.pk for person in available_agents(ticket.provider_id)}:
        return None
    return assign_automatically(ticket)


def _after(people: list, last_id: int | None) -> list:
    """`people` (ordered by id) rotated so that the one after `last_id` comes first; someone
    skipped while away keeps their place in the turn."""
    if last_id is None:
        return people
    later = [person for person in people if person.pk > last_id]
    return later + [person for person in people if person.pk <= last_id]


def _open_requests(ticket: Ticket, people: list) -> dict[int, int]:
    """How many open requests of the provider each of `people` has."""
    counts = (
        Ticket.objects.filter(
            provider=ticket.provider_id,
            assignee__in=[person.pk for person in people],
            status__in=OPEN_STATUSES,
        )
        .exclude(pk=ticket.pk)
        .values("assignee")
        .annotate(open=Count("pk"))
    )
    return {row["assignee"]: row["open"] for row in counts}
