"""The hourly digest: for a person who chose it (departments.Profile.alert_digest), the breaches
and warnings queued for them (rows in state `digest`) are gathered into ONE `digest`
notification per hour, sent through the ordinary outbox (claim, Message-ID, retries).

A digest for the hour starting at H gathers the rows queued before H. Gathering locks the rows
(`FOR UPDATE SKIP LOCKED`), marks them sent and points them at their digest in one transaction,
and a unique constraint allows one digest per person and hour: the job run twice, or twice at
once, sends each alert once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from tickets.alerts import send_after_commit, withdraw_obsolete
from tickets.models import Notification


def send_alert_digests(*, now: datetime | None = None) -> int:
    """Gather the alerts waiting for a digest into one notification per person; return how
    many digests were queued."""
    period = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        waiting = list(
            Notification.objects.filter(state=Notification.State.DIGEST, created_at__lt=period)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        cancelled = set(withdraw_obsolete(waiting))
        gathered = Notification.objects.filter(
            pk__in=[pk for pk in waiting if pk not in cancelled], state=Notification.State.DIGEST
        )
        people = set(gathered.values_list("recipient_id", flat=True))
        # Someone whose digest of this hour is already out keeps the rest for the next hour.
        people -= set(
            Notification.objects.filter(
                kind=Notification.Kind.DIGEST, digest_period=period, recipient_id__in=people
            ).values_list("recipient_id", flat=True)
        )
        digests = Notification.objects.bulk_create(
            Notification(kind=Notification.Kind.DIGEST, recipient_id=person, digest_period=period)
            for person in sorted(people)
        )
        its_digest = Notification.objects.filter(
            kind=Notification.Kind.DIGEST, digest_period=period, recipient_id=OuterRef("recipient")
        ).values("pk")[:1]
        gathered.filter(recipient_id__in=people).update(
            state=Notification.State.SENT, sent_at=timezone.now(), in_digest_id=Subquery(its_digest)
        )
        send_after_commit([digest.pk for digest in digests])
    return len(digests)
