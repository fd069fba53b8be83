"""The hourly digest: the messages queued for a person in state `digest` (the kinds they chose to
read in a digest, departments.Profile.deliveries: alerts, and any other kind of any app) are
gathered into ONE digest message per hour, sent through the outbox like any other; it lists
alerts with their due times and other kinds by their one-line title (tickets.letters).

A digest for the hour starting at H gathers the rows queued before H. Gathering locks the rows
(`FOR UPDATE SKIP LOCKED`), withdraws those whose alert no longer applies, marks the rest sent
and points them at their digest in one transaction, and the outbox allows one digest per person
and hour: the job run twice, or twice at once, sends each alert once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from outbox.models import Message
from outbox.sending import load, withdraw_obsolete
from outbox.services import send_after_commit
from tickets import letters


def send_alert_digests(*, now: datetime | None = None) -> int:
    """Gather the messages waiting for a digest into one message per person; return how many
    digests were queued."""
    period = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    with transaction.atomic():
        waiting = list(
            Message.objects.filter(state=Message.State.DIGEST, created_at__lt=period)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        still_true = withdraw_obsolete(load(waiting))
        gathered = Message.objects.filter(pk__in=[message.pk for message in still_true])
        people = set(gathered.values_list("recipient_id", flat=True))
        # Someone whose digest of this hour is already out keeps the rest for the next hour.
        people -= set(
            Message.objects.filter(digest_period=period, recipient_id__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        digests = Message.objects.bulk_create(
            Message(kind=letters.DIGEST, recipient_id=person, digest_period=period)
            for person in sorted(people)
        )
        its_digest = Message.objects.filter(
            digest_period=period, recipient_id=OuterRef("recipient")
        ).values("pk")[:1]
        gathered.filter(recipient_id__in=people).update(
            state=Message.State.SENT, sent_at=timezone.now(), in_digest_id=Subquery(its_digest)
        )
        send_after_commit([digest.pk for digest in digests])
    return len(digests)
