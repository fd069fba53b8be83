"""The response scan: every minute, each open complaint or suggestion whose response target is
at risk is warned about, one past its due time is breached, and one still unanswered some
working hours later (COMPLAINT_PARENT_TOLD_AFTER_HOURS) is told to the head of the parent
department, each once per round. Rows are claimed with `FOR UPDATE SKIP LOCKED` and marked in
the same transaction as their event, which a unique constraint allows once per round: two scans
at once, or one run twice, tell nobody twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from departments.heads import acting_heads
from feedback import letters
from feedback.models.complaints import Feedback, FeedbackEvent, Status
from feedback.responders import responder

logger = logging.getLogger(__name__)

BATCH = 500
Action = FeedbackEvent.Action

# (event, the instant compared with now, the marker, the lookup, the message kind). Breaches
# come before warnings: a row found late is breached and not also warned about.
STEPS = [
    (Action.BREACHED, "response_due_at", "breached_at", "lt", letters.BREACH),
    (Action.WARNED, "warn_at", "warned_at", "lte", letters.WARNING),
    (Action.PARENT_TOLD, "escalate_at", "parent_told_at", "lte", letters.PARENT_TOLD),
]


@dataclass
class ScanResult:
    events: dict[str, list[int]] = field(default_factory=dict)
    messages: list[int] = field(default_factory=list)


def feedback_scan(*, now: datetime | None = None) -> ScanResult:
    """Warn, breach and tell the parent head about the rounds due at `now`; safe to run twice
    or at once."""
    now = now or timezone.now()
    result = ScanResult()
    with transaction.atomic():
        for action, instant, marker, lookup, kind in STEPS:
            rows = list(
                Feedback.objects.filter(
                    status=Status.OPEN, **{marker: None, f"{instant}__{lookup}": now}
                )
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("department", "escalated_to")
                .order_by(instant)[:BATCH]
            )
            for row in rows:
                setattr(row, marker, now)
                if action == Action.BREACHED and row.warned_at is None:
                    row.warned_at = now  # the breach is told instead
            Feedback.objects.bulk_update(rows, [marker, "warned_at"])
            events = FeedbackEvent.objects.bulk_create(
                FeedbackEvent(feedback=row, action=action, round=row.round, at=now) for row in rows
            )
            result.events[action] = [event.pk for event in events]
            parents = acting_heads(row.responding_department.parent_id for row in rows)
            addressed = [
                (
                    event,
                    parents.get(row.responding_department.parent_id)
                    if action == Action.PARENT_TOLD
                    else responder(row),
                )
                for row, event in zip(rows, events, strict=True)
            ]
            result.messages += [message.pk for message in letters.alerted(kind, addressed)]
    logger.info("feedback scan %s", {action: len(ids) for action, ids in result.events.items()})
    return result
