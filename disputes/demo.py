"""Demo disputes: one breach waived by the customer's head, and one the customer's head rejected
and the nearest head above both departments decided (waived too), through disputes.services so
that their trails, timeline events and messages are the product's own."""

from __future__ import annotations

from django.db import transaction

from departments.heads import acting_head
from disputes import services
from disputes.models import DISPUTABLE_TARGETS, Dispute, Reason
from tickets.models import Breach


def seed(log) -> None:
    if Dispute.objects.exists():
        log("disputes: already seeded")
        return
    accepted = decided_above = None
    candidates = (
        Breach.objects.filter(target__in=DISPUTABLE_TARGETS, ticket__agreement__isnull=False)
        .exclude(ticket__provider=None)
        .select_related("ticket__provider", "ticket__customer")
        .order_by("-detected_at")[:200]
    )
    for breach in candidates:
        if accepted and decided_above:
            break
        opener = acting_head(breach.ticket.provider)
        if opener is None or not services.may_open(opener, breach):
            continue
        try:
            with transaction.atomic():
                if accepted is None:
                    accepted = _accepted(breach, opener)
                elif breach.ticket.customer_id != accepted.customer_id:
                    decided_above = _decided_above(breach, opener)
        except _NotThisOne:
            continue
    log(
        "disputes: "
        + ", ".join(
            f"{name} {d.ticket.reference}"
            for name, d in (("accepted", accepted), ("decided above", decided_above))
            if d is not None
        )
        if accepted or decided_above
        else "disputes: no breach with heads on both sides to dispute"
    )


class _NotThisOne(Exception):
    """The breach's departments have nobody (but an administrator) to decide: roll it back."""


def _accepted(breach: Breach, opener) -> Dispute:
    dispute = services.dispute_open(
        breach_id=breach.pk,
        by=opener,
        reason=Reason.CUSTOMER,
        text="The requester sent the figures two days after filing.",
    )
    if dispute.decider is None:
        raise _NotThisOne
    services.dispute_decide(
        dispute_id=dispute.pk,
        by=dispute.decider,
        waive=True,
        comment="Right: our figures were late. Waived.",
    )
    return dispute


def _decided_above(breach: Breach, opener) -> Dispute:
    dispute = services.dispute_open(
        breach_id=breach.pk,
        by=opener,
        reason=Reason.PRIORITY,
        text="Filed as urgent, but nothing depended on it that week.",
    )
    if dispute.decider is None:
        raise _NotThisOne
    services.dispute_decide(
        dispute_id=dispute.pk,
        by=dispute.decider,
        waive=False,
        comment="It was urgent for us: the quarter closed that Friday.",
    )
    dispute.refresh_from_db()
    if dispute.decider is None:
        raise _NotThisOne
    services.dispute_decide(
        dispute_id=dispute.pk,
        by=dispute.decider,
        waive=True,
        comment="The priority was set higher than the agreement defines. Waived.",
    )
    return dispute
