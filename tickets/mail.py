"""Sending the notification outbox: claim rows (FOR UPDATE SKIP LOCKED), send, mark each sent.

What each e-mail says is built by tickets.letters."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.core.mail import get_connection
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from psycopg import pq

from departments.models import preferred_languages
from tickets.letters import Letters, build_message
from tickets.models import Notification

logger = logging.getLogger(__name__)

# What an e-mail shows, read with the notification in one query: the request and its parties, the
# event, the approval step, and the alert (breach, warning or escalation) of an alert e-mail.
RELATED = (
    "ticket__provider",
    "ticket__customer",
    "ticket__service",
    "ticket__requester",
    "ticket__assignee",
    "ticket__agreement__calendar",
    "recipient",
    "event__actor",
    "approval",
    "breach",
    "warning",
    "escalation",
)

# A row left in "sending" longer than this belonged to a worker that died; it is sent again.
# Longer than any SMTP exchange takes, so that a live worker is never raced.
STALE_CLAIM = timedelta(minutes=10)
# A failed e-mail waits before its next attempt, twice as long after each failure (1, 2, 4, 8
# minutes, never more than RETRY_CAP), and is given up after MAX_ATTEMPTS.
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(minutes=30)


def retry_delay(attempts: int) -> timedelta:
    """How long a row that has failed `attempts` times waits before the next attempt."""
    return min(RETRY_BASE * 2 ** (attempts - 1), RETRY_CAP)


def claimable(now) -> Q:
    """Rows a sender may claim at `now`: pending and due (never failed, or waited out their
    retry delay), or claimed by a worker that died (stale)."""
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    stale = Q(state=Notification.State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return (Q(state=Notification.State.PENDING) & due) | stale


def send_notification(notification_id: int) -> str:
    # The attempt counts at the claim, so a row whose sending kills its worker is bounded too.
    if not _claim([notification_id]):
        return "skipped"  # already sent, being sent by another worker, or given up
    notification = Notification.objects.select_related(*RELATED).get(pk=notification_id)
    try:
        build_message(notification).send()
    except Exception as error:
        _return_to_pending(notification, error)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, sent_at=timezone.now()
    )
    return "sent"


def requeue_unsent(enqueue: Callable[[int], object]) -> int:
    """Queue again every row still pending (once its retry delay is over), or stuck in "sending"
    past STALE_CLAIM."""
    ids = list(
        Notification.objects.filter(
            claimable(timezone.now()), attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


# How many rows send_batch claims at a time: a claim never waits long enough before its sending
# to go stale. Each row is marked sent right after its SMTP exchange, so a worker killed
# mid-batch leaves at most the one e-mail in flight to be sent again (same Message-ID).
BATCH_CHUNK = 100


def send_batch(notification_ids: list[int]) -> dict:
    """Send the claimable rows among `notification_ids` over one SMTP connection, claiming them
    by chunks of BATCH_CHUNK and marking each as soon as it is sent; rows already sent or
    claimed are skipped."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    smtp = get_connection()  # opened by the first message, so a refusal fails that message
    marks = SentMarks()
    try:
        for start in range(0, len(notification_ids), BATCH_CHUNK):
            chunk = notification_ids[start : start + BATCH_CHUNK]
            claimed = _claim(chunk)
            counts["skipped"] += len(chunk) - len(claimed)
            # Everything the chunk's e-mails show, in two queries for the whole chunk.
            notifications = list(
                Notification.objects.select_related(*RELATED).filter(pk__in=claimed)
            )
            languages = preferred_languages({row.recipient_id for row in notifications})
            letters = Letters(smtp)  # an alert's e-mail is rendered once per chunk and language
            for notification in notifications:
                try:
                    letters.send(
                        notification,
                        language=languages[notification.recipient_id],
                        before_handover=marks.wait,
                    )
                except Exception as error:
                    marks.wait()
                    _return_to_pending(notification, error)
                    smtp.close()  # the next message opens a fresh connection
                    counts["failed"] += 1
                else:
                    marks.mark(notification.pk)
                    counts["sent"] += 1
            marks.wait()
    finally:
        try:
            marks.wait()
        finally:
            smtp.close()
    return counts


class SentMarks:
    """Marks each e-mail sent once the server has accepted it, and has the mark on record before
    the next e-mail is handed over (the end of its DATA): a worker killed at any moment leaves at
    most one e-mail delivered but not marked, the one in flight.

    On PostgreSQL the mark's UPDATE goes to the server at once and its reply is read just before
    the next hand-over, so that the commit overlaps the next e-mail's first SMTP round trips
    instead of adding to them. The statement bypasses Django's cursor (and its query log); the
    connection is Django's, so it is in the caller's transaction if there is one."""

    SQL = f"UPDATE {Notification._meta.db_table} SET state = $1, sent_at = $2 WHERE id = $3"

    def __init__(self):
        self.waiting = False

    def mark(self, notification_id: int) -> None:
        self.wait()
        if connection.vendor != "postgresql":
            _mark_sent(notification_id)
            return
        connection.connection.pgconn.send_query_params(
            self.SQL.encode(),
            [
                Notification.State.SENT.encode(),
                timezone.now().isoformat().encode(),
                str(notification_id).encode(),
            ],
        )
        self.waiting = True

    def wait(self) -> None:
        """Read the reply to the last mark; raise if it failed."""
        if not self.waiting:
            return
        self.waiting = False
        errors = []
        pgconn = connection.connection.pgconn
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                errors.append(result.error_message.decode(errors="replace"))
        if errors:
            raise DatabaseError(f"marking an e-mail sent failed: {'; '.join(errors)}")


def _mark_sent(notification_id: int) -> None:
    """What send_notification does once its e-mail is out, in plain SQL: run once per e-mail,
    building the same UPDATE through the ORM each time cost as much as the round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} SET state = %s, sent_at = %s WHERE id = %s",
            [Notification.State.SENT, timezone.now(), notification_id],
        )


def _claim(notification_ids: list[int]) -> list[int]:
    """Claim the rows still to send among `notification_ids`: SELECT ... FOR UPDATE SKIP LOCKED
    (a row another sender is claiming at this moment is left to it, not waited for), then mark
    them "sending" in the same transaction; return the ids claimed."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Notification.objects.filter(
                claimable(now), pk__in=notification_ids, attempts__lt=MAX_ATTEMPTS
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=claimed).update(
            state=Notification.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return claimed


def _return_to_pending(notification: Notification, error: Exception) -> None:
    """A failed attempt: the row waits out its retry delay, or is given up after the last."""
    attempts = notification.attempts
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.FAILED if attempts >= MAX_ATTEMPTS else Notification.State.PENDING,
        retry_at=timezone.now() + retry_delay(attempts),
        last_error=f"{error.__class__.__name__}: {error}",
    )
    logger.warning("notification %s failed (attempt %s): %s", notification.pk, attempts, error)
