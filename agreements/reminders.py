"""Reminders while a proposal waits for its signatures: every REMIND_EVERY after the proposal,
each head who still has to sign is reminded once (the outbox's unique message per round keeps it
once, and the proposal's row lock keeps two runs from racing). A decision, a withdrawal or a new
proposal stops them; an outage skips the missed rounds rather than sending them in a burst."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from agreements import letters
from agreements.models import Agreement, AgreementEvent
from outbox.models import Message
from outbox.services import queue_each

REMIND_EVERY = timedelta(days=2)


def signature_reminders_send(*, now: datetime) -> int:
    """Remind the heads who still have to sign each proposal waiting since REMIND_EVERY or
    more; safe to run twice or at once on two workers. Returns how many were written."""
    waiting = Agreement.objects.filter(
        status=Agreement.Status.PROPOSED, proposed_at__lte=now - REMIND_EVERY
    )
    written = 0
    for agreement_id in waiting.values_list("pk", flat=True):
        with transaction.atomic():
            written += _remind(agreement_id, now)
    return written


def _remind(agreement_id: int, now: datetime) -> int:
    agreement = (
        Agreement.objects.select_for_update()
        .filter(pk=agreement_id, status=Agreement.Status.PROPOSED)
        .first()
    )
    if agreement is None or agreement.proposed_at is None:
        return 0
    proposal = agreement.events.filter(
        action=AgreementEvent.Action.PROPOSED, at=agreement.proposed_at
    ).first()
    if proposal is None:
        return 0
    number = int((now - agreement.proposed_at) / REMIND_EVERY)
    reminded = set(
        Message.objects.filter(
            kind=letters.SIGNATURE_REMINDER,
            about_type=ContentType.objects.get_for_model(AgreementEvent),
            about_id=proposal.pk,
            round=number,
        ).values_list("recipient", flat=True)
    )
    people = [p for p in letters.pending_signers(agreement) if p.pk not in reminded]
    return len(
        queue_each(letters.SIGNATURE_REMINDER, [(proposal, p) for p in people], round=number)
    )
