"""The cap on mass deactivation. A source that breaks (a wrong search base, a half-written org
file) looks like the whole company leaving; so a sync that would deactivate more than
DIRECTORY_DEACTIVATION_LIMIT_PERCENT of the active people it manages, and more than
DIRECTORY_DEACTIVATION_LIMIT_FLOOR, deactivates nobody, applies the rest, and records the people
it held back in a `DeactivationHold`, told once to the administrators. Once an administrator
confirms the hold, the next sync deactivates them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import DomainError
from directory import letters
from directory.models import DeactivationHold
from directory.org_diff import OrgDiff
from outbox.services import queue_each


@dataclass(frozen=True)
class Held:
    """The leavers a sync held back, out of `active_count` active people it manages."""

    user_ids: list[int]
    active_count: int
    limit: int


def deactivation_limit(active_count: int) -> int:
    """The most people one sync may deactivate, out of `active_count`, without a confirmation."""
    share = math.floor(active_count * settings.DIRECTORY_DEACTIVATION_LIMIT_PERCENT / 100)
    return max(settings.DIRECTORY_DEACTIVATION_LIMIT_FLOOR, share)


def open_hold(source: str) -> DeactivationHold | None:
    """The source's hold not yet closed, locked for the rest of the transaction."""
    return (
        DeactivationHold.objects.select_for_update()
        .filter(source=source, closed_at__isnull=True)
        .first()
    )


def hold_back(diff: OrgDiff, hold: DeactivationHold | None) -> Held | None:
    """Take the leavers out of `diff` (its work and its plan, with a notice saying why) when
    there are more than the limit, leaving those of a confirmed `hold`; None when none is held."""
    from directory.sync import SyncError

    leavers = diff.work.leavers
    if not leavers:
        return None
    active_count = sum(
        1 for pk in set(diff.accounts.values()) if pk in diff.users and diff.users[pk][5]
    )
    if not any(person.active for person in diff.snapshot.people):
        # An empty answer is far likelier a broken source than a company that left overnight.
        raise SyncError(_("The directory names nobody active; nothing was changed."))
    confirmed = set()
    if hold is not None and hold.confirmed_at is not None:
        confirmed = set(hold.people.values_list("pk", flat=True))
    unconfirmed = [pk for pk in leavers if pk not in confirmed]
    limit = deactivation_limit(active_count)
    if len(unconfirmed) <= limit:
        return None
    diff.work.leavers = [pk for pk in leavers if pk in confirmed]
    held_names = {diff.users[pk][1] for pk in unconfirmed}
    diff.plan.changes = [
        change
        for change in diff.plan.changes
        if not (change.kind == "person_deactivated" and change.params["username"] in held_names)
    ]
    diff.plan.add("deactivations_held", count=len(unconfirmed), limit=limit, active=active_count)
    return Held(user_ids=sorted(unconfirmed), active_count=active_count, limit=limit)


def record_hold(
    source: str, hold: DeactivationHold | None, held: Held | None, now: datetime
) -> None:
    """Keep the record in step with this sync: a hold no longer needed (or applied, once
    confirmed) is closed; new held leavers open a hold, told once to the administrators."""
    if held is None:
        if hold is not None:
            hold.closed_at = now
            hold.save(update_fields=["closed_at"])
        return
    if hold is not None and hold.confirmed_at is None:
        if set(hold.people.values_list("pk", flat=True)) != set(held.user_ids):
            hold.people.set(held.user_ids)
        if (hold.active_count, hold.limit) != (held.active_count, held.limit):
            hold.active_count, hold.limit = held.active_count, held.limit
            hold.save(update_fields=["active_count", "limit"])
        return
    if hold is not None:
        hold.closed_at = now
        hold.save(update_fields=["closed_at"])
    hold = DeactivationHold.objects.create(
        source=source, held_at=now, active_count=held.active_count, limit=held.limit
    )
    hold.people.set(held.user_ids)
    administrators = get_user_model().objects.filter(is_superuser=True, is_active=True)
    queue_each(letters.DEACTIVATIONS_HELD, [(hold, admin) for admin in administrators])


class HoldClosed(DomainError):
    """The hold was closed meanwhile: there is nothing left to confirm."""


@transaction.atomic
def confirm_hold(*, hold_id: int, by) -> DeactivationHold:
    """Confirm the held deactivations: the next sync deactivates those people (`by` is None
    for the command). Confirming twice changes nothing."""
    hold = DeactivationHold.objects.select_for_update().get(pk=hold_id)
    if hold.closed_at is not None:
        raise HoldClosed(_("This hold is closed already; nothing was confirmed."))
    if hold.confirmed_at is None:
        hold.confirmed_at, hold.confirmed_by = timezone.now(), by
        hold.save(update_fields=["confirmed_at", "confirmed_by"])
    return hold
