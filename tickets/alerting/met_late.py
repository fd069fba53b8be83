"""Targets met late before the breach scan saw them: a first response or resolution recorded
after its due time, within the minute before the scan would have flagged it (or while the scan
was down), is a breach all the same (PRODUCT.md, rule 5) and must be on record to be disputed.

The request's service records it in its own transaction, holding the request's row lock, as
the same row the scan writes (breach_scan: target, step 0, the request's agreement, due time,
detected now) and with the same marker on the request. The scan's UPDATE of that request
waits for the lock and then finds the target met; a scan that got there first has set the
marker, which this reads under the lock. The unique constraint (ON CONFLICT DO NOTHING) is the
last guard against a second row. Nobody is alerted about a target already met: the row is
written as notified, and its escalation as ended."""

from __future__ import annotations

from datetime import datetime

from tickets.models import Breach, Target, Ticket

# (target, column recording when it was met, its due time): the provider's targets.
PROVIDER_TARGETS = (
    (Target.FIRST_RESPONSE, "first_responded_at", "first_response_due_at"),
    (Target.RESOLUTION, "resolved_at", "resolution_due_at"),
)


def record_breaches_met_late(ticket: Ticket, now: datetime) -> list[str]:
    """Record the breach of each target of `ticket` met at `now` (by the caller, who holds the
    request's row lock and saves it afterwards) past its due time and not flagged yet; return
    those targets. Met exactly at the due time is met."""
    late = [
        (target, due)
        for target, met, due_column in PROVIDER_TARGETS
        if getattr(ticket, met) == now
        and (due := getattr(ticket, due_column)) is not None
        and now > due
        and getattr(ticket, f"{target}_breached_at") is None
    ]
    if not late:
        return []
    Breach.objects.bulk_create(
        [
            Breach(
                ticket=ticket,
                target=target,
                step=0,
                agreement_id=ticket.agreement_id,
                due_at=due,
                detected_at=now,
                notified_at=now,
                escalation_ended=True,
            )
            for target, due in late
        ],
        ignore_conflicts=True,
    )
    for target, _due in late:
        setattr(ticket, f"{target}_breached_at", now)
    return [target for target, _due in late]
