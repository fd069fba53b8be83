"""Reads of the disputes pages and API, scoped by who may see them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from departments.models import Membership
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
    return dispute.steps.select_related("actor", "on_behalf_of", "asked")


def parties(dispute: Dispute) -> set[int]:
    """Who may not decide it (but as the decider it names): whoever opened it or decided in it,
    and the heads of both sides."""
    heads = Membership.objects.heads().filter(
        department__in=[dispute.provider_id, dispute.customer_id]
    )
    actors = dispute.steps.exclude(action=DisputeStep.Action.OPENED).exclude(actor=None)
    return (
        {dispute.opened_by_id}
        | set(heads.values_list("user_id", flat=True))
        | set(actors.values_list("actor_id", flat=True))
    )


def administrators_to_decide(dispute: Dispute) -> QuerySet:
    """The administrators who may decide it when nobody else may: active, and no party to it."""
    return (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(pk__in=parties(dispute))
    )
