"""Who is invited in a wave: (recipient, rated department, respondent's department) triples,
one per recipient and rated department, drawn from the period before the launch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, Min

from agreements.models import Coverage
from departments.models import Department, Membership
from surveys.models import Campaign
from tickets.models import Ticket

# (recipient id, rated department id, respondent's department id or None)
Invitee = tuple[int, int, int | None]


def audience(campaign: Campaign, *, since: datetime, until: datetime) -> list[Invitee]:
    """The campaign's invitees for the period [since, until), active people with an e-mail
    address only, never rating their own department."""
    if campaign.audience == Campaign.Audience.CHOSEN:
        triples = _chosen(campaign)
    elif campaign.audience == Campaign.Audience.EVERYONE:
        triples = _everyone(since, until)
    else:
        triples = _requesters(since, until)
    # An archived department (gone from the directory) is neither rated nor rating.
    archived = set(Department.objects.exclude(archived_at=None).values_list("pk", flat=True))
    return _unique(t for t in triples if t[1] not in archived and t[2] not in archived)


def _requesters(since: datetime, until: datetime) -> Iterable[Invitee]:
    """Each person who filed a request with a department in the period rates that department
    (as a member of the department they filed for; the first one if several)."""
    rows = (
        Ticket.objects.filter(filed_at__gte=since, filed_at__lt=until)
        .exclude(customer=F("provider"))
        .filter(requester__is_active=True)
        .exclude(requester__email="")
        .values("requester", "provider")
        .annotate(customer=Min("customer"))
        .order_by("requester", "provider")
    )
    return ((row["requester"], row["provider"], row["customer"]) for row in rows)


def _chosen(campaign: Campaign) -> Iterable[Invitee]:
    rated = list(campaign.rated_departments.values_list("pk", flat=True))
    members = _active_members().filter(department__in=campaign.respondent_departments.values("pk"))
    for user_id, department_id in members.values_list("user", "department"):
        for rated_id in rated:
            yield user_id, rated_id, department_id


def _everyone(since: datetime, until: datetime) -> Iterable[Invitee]:
    """Every member of a department rates each department it works with: those it filed
    requests with in the period and those that serve it under an agreement in force."""
    suppliers: dict[int, set[int]] = {}
    pairs = (
        Ticket.objects.filter(filed_at__gte=since, filed_at__lt=until)
        .values_list("customer", "provider")
        .distinct()
    )
    for customer_id, provider_id in pairs:
        suppliers.setdefault(customer_id, set()).add(provider_id)
    company_wide = set(
        Coverage.objects.filter(customer__isnull=True).values_list("service__provider", flat=True)
    )
    for customer_id, provider_id in Coverage.objects.filter(customer__isnull=False).values_list(
        "customer", "service__provider"
    ):
        suppliers.setdefault(customer_id, set()).add(provider_id)
    for user_id, department_id in _active_members().values_list("user", "department"):
        for rated_id in suppliers.get(department_id, set()) | company_wide:
            yield user_id, rated_id, department_id


def _active_members():
    return Membership.objects.filter(user__is_active=True).exclude(user__email="")


def _unique(triples: Iterable[Invitee]) -> list[Invitee]:
    """One invitee per (recipient, rated department), the first respondent department kept;
    nobody rates a department they belong to."""
    own = {}
    for user_id, department_id in Membership.objects.values_list("user", "department"):
        own.setdefault(user_id, set()).add(department_id)
    chosen: dict[tuple[int, int], int | None] = {}
    for user_id, rated_id, respondent_id in triples:
        if rated_id in own.get(user_id, ()):
            continue
        chosen.setdefault((user_id, rated_id), respondent_id)
    return sorted((user, rated, respondent) for (user, rated), respondent in chosen.items())
