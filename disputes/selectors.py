"""Reads of the disputes pages and API, scoped by who may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from disputes.models import Dispute, DisputeStep
from tickets.models import Breach, Ticket

RELATED = ("breach", "ticket__provider", "ticket__customer", "opened_by", "decider")


def disputes_seen_by(user) -> QuerySet[Dispute]:
    """Those `user` may read (disputes.models.DisputeQuerySet.visible_to), newest first."""
    return Dispute.objects.visible_to(user).select_related(*RELATED)


def disputes_to_decide(user) -> QuerySet[Dispute]:
    """Those waiting on `user`, the oldest first."""
    return Dispute.objects.to_decide_by(user).select_related(*RELATED).order_by("opened_at", "pk")


def breach_seen_by(user, breach_id: int) -> Breach | None:
    """The breach, when `user` sees its request."""
    return (
        Breach.objects.filter(pk=breach_id, ticket__in=Ticket.objects.visible_to(user))
        .select_related("ticket__provider", "ticket__customer")
        .first()
    )


def trail(dispute: Dispute) -> QuerySet[DisputeStep]:
    return dispute.steps.select_related("actor", "asked")
