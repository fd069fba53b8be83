"""Sending invitations and reminders: each invitation row is its own outbox.

An invitation owes e-mails until `emails_sent` reaches its wave's `email_round` (1 at launch, one
more per reminder round; reminders only while unanswered). A worker claims rows with one
conditional UPDATE per chunk, sends each over one SMTP connection and marks it right after its
SMTP exchange, so a worker killed mid-batch leaves only its claimed, unsent rows; a redelivered
batch skips them until the claim is stale, then the periodic requeue sends them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.mail import get_connection
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from common.emails import make_message
from departments.models import preferred_languages
from surveys.links import answer_path
from surveys.models import Invitation, Wave

logger = logging.getLogger(__name__)

# A claim older than this belonged to a worker that died; longer than any SMTP exchange.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5
BATCH_SIZE = 200  # invitations per task
CHUNK = 50  # invitations claimed at a time within a task


def owed() -> Q:
    """Invitations that owe an e-mail: never sent, or unanswered and behind their wave's
    reminder round; while the wave is open."""
    return Q(emails_sent__lt=F("wave__email_round"), wave__closes_at__gt=timezone.now()) & (
        Q(emails_sent=0) | Q(answered=False)
    )


def enqueue_wave(wave_id: int) -> int:
    """Queue the e-mails a wave owes, in batches; when the broker is down they wait for the
    periodic requeue."""
    ids = list(
        Invitation.objects.filter(owed(), wave_id=wave_id, claimed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return _enqueue(ids)


def _enqueue(ids: list[int]) -> int:
    from surveys.tasks import send_invitations

    for start in range(0, len(ids), BATCH_SIZE):
        try:
            send_invitations.apply_async((ids[start : start + BATCH_SIZE],), retry=False)
        except Exception as error:  # committed; the e-mails wait for the periodic requeue
            logger.warning("survey invitations not queued (%s); they will be retried", error)
            return start
    return len(ids)


def requeue_unsent(enqueue: Callable[[list[int]], object] | None = None) -> int:
    """Queue again what is owed and not claimed, or claimed by a worker that died."""
    stale = timezone.now() - STALE_CLAIM
    ids = list(
        Invitation.objects.filter(owed(), attempts__lt=MAX_ATTEMPTS)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    if enqueue is None:
        return _enqueue(ids)
    for start in range(0, len(ids), BATCH_SIZE):
        enqueue(ids[start : start + BATCH_SIZE])
    return len(ids)


def send_invitations(invitation_ids: list[int]) -> dict:
    """Send what the claimable rows among `invitation_ids` owe over one SMTP connection; rows
    owing nothing, or claimed by a live worker, are skipped. Safe to run twice."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    smtp = get_connection()
    try:
        for start in range(0, len(invitation_ids), CHUNK):
            chunk = invitation_ids[start : start + CHUNK]
            claimed = _claim(chunk)
            counts["skipped"] += len(chunk) - len(claimed)
            invitations = list(
                Invitation.objects.select_related(
                    "wave__campaign", "recipient", "rated_department"
                ).filter(pk__in=claimed)
            )
            languages = preferred_languages({row.recipient_id for row in invitations})
            for invitation in invitations:
                number = invitation.emails_sent + 1
                try:
                    message = build_message(
                        invitation, number, language=languages[invitation.recipient_id]
                    )
                    smtp.open()
                    smtp.send_messages([message])
                except Exception as error:
                    _release(invitation, error)
                    smtp.close()
                    counts["failed"] += 1
                else:
                    Invitation.objects.filter(pk=invitation.pk).update(
                        emails_sent=number, claimed_at=None, attempts=0, last_error=""
                    )
                    counts["sent"] += 1
    finally:
        smtp.close()
    return counts


def build_message(invitation: Invitation, number: int, *, language: str):
    """E-mail number `number` of an invitation: the invitation itself, then reminders."""
    wave = invitation.wave
    return make_message(
        "surveys/reminder" if number > 1 else "surveys/invitation",
        invitation.recipient.email,
        {
            "invitation": invitation,
            "recipient": invitation.recipient,
            "campaign": wave.campaign,
            "wave": wave,
            "department": invitation.rated_department,
            "answer_link": answer_path(invitation),
        },
        language=language,
        headers={"Message-ID": invitation.message_id(number), "Auto-Submitted": "auto-generated"},
    )


def _claim(invitation_ids: list[int]) -> list[int]:
    """Claim, in one conditional UPDATE, the rows among `invitation_ids` that owe an e-mail and
    are not held by a live worker; return their ids."""
    if not invitation_ids:
        return []
    now = timezone.now()
    invitations, waves = Invitation._meta.db_table, Wave._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {invitations} SET claimed_at = %s, attempts = attempts + 1 "
            f"WHERE id IN ({', '.join(['%s'] * len(invitation_ids))}) AND attempts < %s "
            "AND (claimed_at IS NULL OR claimed_at < %s) "
            "AND (emails_sent = 0 OR answered = %s) "
            f"AND wave_id IN (SELECT id FROM {waves} WHERE closes_at > %s "
            f"AND email_round > {invitations}.emails_sent) RETURNING id",
            [now, *invitation_ids, MAX_ATTEMPTS, now - STALE_CLAIM, False, now],
        )
        return [row[0] for row in cursor.fetchall()]


def _release(invitation: Invitation, error: Exception) -> None:
    """A failed send: the row can be claimed again (up to MAX_ATTEMPTS attempts)."""
    Invitation.objects.filter(pk=invitation.pk).update(
        claimed_at=None, last_error=f"{error.__class__.__name__}: {error}"
    )
    logger.warning(
        "survey invitation %s failed (attempt %s): %s", invitation.pk, invitation.attempts, error
    )
