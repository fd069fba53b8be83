"""Escalation: a breached target still unmet `Agreement.escalation_after` working hours after its
due time is told to the head of the provider's parent department (level 2); still unmet as long
again, to the grandparent's head (level 3), and so on up the hierarchy, each level once. While a
level's department has no head, the nearest head above it is told (departments.heads).

Level-triggered, like the scan: each breach carries its next `escalate_at` (an indexed column),
computed here with the agreement calendar's business clock the first time the job sees the breach,
and the job, every minute, escalates what is due now. A run costs a bounded number of statements
however many breaches are due (at most BATCH of each kind; the rest wait for the next minute),
plus the clock work of the rows it schedules or escalates. The breaches it escalates are locked
(`FOR UPDATE SKIP LOCKED`) and a unique constraint on (breach, level) backs it, so two runs at
once, or a run repeated, tell nobody twice.

Escalation ends (`escalation_ended`) when the target is met, the request closes or moves to
another agreement, the agreement sets no escalation, the target is an approval step (its approver
is not the provider) or the requester's answer (the customer's duty), or the top of the hierarchy
is reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from departments.heads import head_at_or_above
from departments.models import Department, Membership
from outbox.services import queue_each
from tickets import letters
from tickets.models import OPEN_STATUSES, Breach, Escalation, Target, Ticket
from tickets.selectors import clocks_by_calendar

logger = logging.getLogger(__name__)

BATCH = 1000


@dataclass
class EscalationResult:
    scheduled: int = 0
    escalations: list[int] = field(default_factory=list)
    messages: list[int] = field(default_factory=list)


def escalate_breaches(*, now: datetime | None = None) -> EscalationResult:
    """End the escalations that no longer apply, schedule the new breaches, and tell the next
    level about every breach whose escalation is due at `now`; safe to run twice or at once."""
    now = now or timezone.now()
    result = EscalationResult()
    with transaction.atomic():
        _end_obsolete(now)
        result.scheduled = _schedule_new()
        _escalate_due(now, result)
    logger.info(
        "escalation scheduled=%s escalated=%s messages=%s",
        result.scheduled,
        len(result.escalations),
        len(result.messages),
    )
    return result


def _end_obsolete(now: datetime) -> None:
    """One UPDATE over the breaches due (or not yet scheduled) whose target no longer applies."""
    breaches, tickets = Breach._meta.db_table, Ticket._meta.db_table
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {breaches} AS b SET escalation_ended = TRUE "
            "WHERE NOT b.escalation_ended AND (b.escalate_at IS NULL OR b.escalate_at <= %s) "
            "AND (b.target IN (%s, %s) OR EXISTS "
            f"(SELECT 1 FROM {tickets} t WHERE t.id = b.ticket_id "
            f"AND (t.status NOT IN ({open_statuses}) "
            "OR t.agreement_id IS DISTINCT FROM b.agreement_id "
            "OR (b.target = %s AND t.first_responded_at IS NOT NULL) "
            "OR (b.target = %s AND t.resolved_at IS NOT NULL))))",
            [
                now,
                Target.APPROVAL,
                Target.REQUESTER_ANSWER,
                *OPEN_STATUSES,
                Target.FIRST_RESPONSE,
                Target.RESOLUTION,
            ],
        )


def _schedule_new() -> int:
    """Give the breaches not yet scheduled their first `escalate_at` (level 2): their due time
    plus the agreement's `escalation_after`, in working time on its calendar."""
    new = list(
        Breach.objects.filter(escalation_ended=False, escalate_at__isnull=True)
        .select_related("agreement")
        .order_by("pk")[:BATCH]
    )
    if not new:
        return 0
    clocks = clocks_by_calendar(
        {b.agreement.calendar_id for b in new if b.agreement and b.agreement.escalation_after}
    )
    for breach in new:
        if breach.agreement is None or breach.agreement.escalation_after is None:
            breach.escalation_ended = True
        else:
            clock = clocks[breach.agreement.calendar_id]
            breach.escalate_at = clock.add(breach.due_at, breach.agreement.escalation_after)
    Breach.objects.bulk_update(new, ["escalate_at", "escalation_ended"])
    return len(new)


def _escalate_due(now: datetime, result: EscalationResult) -> None:
    due = list(
        Breach.objects.filter(escalation_ended=False, escalate_at__lte=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("agreement", "ticket")
        .order_by("escalate_at")[:BATCH]
    )
    if not due:
        return
    parents = dict(Department.objects.values_list("pk", "parent_id"))
    heads = {
        m.department_id: m.user
        for m in Membership.objects.heads().select_related("user")
        if m.user.is_active
    }
    clocks = clocks_by_calendar({b.agreement.calendar_id for b in due})
    escalations, recipients = [], []
    for breach in due:
        level = breach.escalation_level + 1
        department_id = _ancestor(parents, breach.ticket.provider_id, level - 1)
        if department_id is None:
            breach.escalation_ended = True
            continue
        escalations.append(
            Escalation(breach=breach, level=level, department_id=department_id, escalated_at=now)
        )
        # A level whose department has no head is told to the head above it meanwhile.
        recipients.append(head_at_or_above(parents, heads, department_id))
        breach.escalation_level = level
        clock = clocks[breach.agreement.calendar_id]
        breach.escalate_at = clock.add(breach.escalate_at, breach.agreement.escalation_after)
        if _ancestor(parents, breach.ticket.provider_id, level) is None:
            breach.escalation_ended = True
    Escalation.objects.bulk_create(escalations)
    messages = queue_each(
        letters.ESCALATION,
        [
            (escalation, head)
            for escalation, head in zip(escalations, recipients, strict=True)
            if head
        ],
    )
    Breach.objects.bulk_update(due, ["escalation_level", "escalate_at", "escalation_ended"])
    result.escalations = [e.pk for e in escalations]
    result.messages = [message.pk for message in messages]


def _ancestor(parents: dict[int, int | None], department_id: int, generations: int) -> int | None:
    """The department `generations` levels above (1: the parent), or None past the top."""
    seen = {department_id}
    for _ in range(generations):
        department_id = parents.get(department_id)
        if department_id is None or department_id in seen:  # the top, or a cycle
            return None
        seen.add(department_id)
    return department_id
