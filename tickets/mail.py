"""Sending the notification outbox: claim a row with a conditional UPDATE, send, mark it sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from config.emails import make_message
from departments.models import Profile, preferred_language
from tickets.approval_links import approval_link_path
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
MAX_ATTEMPTS = 5


def send_notification(notification_id: int) -> str:
    now = timezone.now()
    claimable = Q(state=Notification.State.PENDING) | Q(
        state=Notification.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    claimed = Notification.objects.filter(
        claimable, pk=notification_id, attempts__lt=MAX_ATTEMPTS
    ).update(state=Notification.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    # The attempt counts at the claim, so a row whose sending kills its worker is bounded too.
    if claimed != 1:
        return "skipped"  # already sent, being sent by another worker, or given up
    notification = Notification.objects.select_related(*RELATED).get(pk=notification_id)
    try:
        build_message(notification).send()
    except Exception as error:
        attempts = notification.attempts
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED
            if attempts >= MAX_ATTEMPTS
            else Notification.State.PENDING,
            attempts=attempts,
            last_error=f"{error.__class__.__name__}: {error}",
        )
        logger.warning("notification %s failed (attempt %s): %s", notification_id, attempts, error)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, sent_at=timezone.now()
    )
    return "sent"


def build_message(notification: Notification, *, language: str | None = None):
    """The e-mail of `notification`, in the recipient's language (`language` when the caller has
    already read it, as send_batch does for a whole chunk in one query)."""
    ticket = notification.ticket
    approval = notification.approval
    context = {
        "notification": notification,
        "ticket": ticket,
        "recipient": notification.recipient,
        "event": notification.event,
        "approval": approval,
        # Signed when sent, so the link's week of validity starts with the e-mail.
        "approval_link": approval_link_path(approval) if approval else "",
    }
    if notification.kind in {"breach", "warning", "escalation", "digest"}:
        from tickets.alerts import alert_context

        context.update(alert_context(notification))
    return make_message(
        f"tickets/{notification.kind}",
        notification.recipient.email,
        context,
        language=language or preferred_language(notification.recipient),
        headers={"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"},
    )


def requeue_unsent(enqueue: Callable[[int], object]) -> int:
    """Queue again every row still pending, or stuck in "sending" past STALE_CLAIM."""
    stale = timezone.now() - STALE_CLAIM
    ids = list(
        Notification.objects.filter(
            Q(state=Notification.State.PENDING)
            | Q(state=Notification.State.SENDING, claimed_at__lt=stale),
            attempts__lt=MAX_ATTEMPTS,
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
    try:
        for start in range(0, len(notification_ids), BATCH_CHUNK):
            chunk = notification_ids[start : start + BATCH_CHUNK]
            claimed = _claim(chunk)
            counts["skipped"] += len(chunk) - len(claimed)
            # Everything the chunk's e-mails show, in two queries for the whole chunk.
            notifications = list(
                Notification.objects.select_related(*RELATED).filter(pk__in=claimed)
            )
            languages = _languages(notifications)
            for notification in notifications:
                try:
                    message = build_message(
                        notification, language=languages[notification.recipient_id]
                    )
                    smtp.open()  # a no-op unless a failure closed the connection
                    smtp.send_messages([message])
                except Exception as error:
                    _return_to_pending(notification, error)
                    smtp.close()  # the next message opens a fresh connection
                    counts["failed"] += 1
                else:
                    Notification.objects.filter(pk=notification.pk).update(
                        state=Notification.State.SENT, sent_at=timezone.now()
                    )
                    counts["sent"] += 1
    finally:
        smtp.close()
    return counts


def _languages(notifications: list[Notification]) -> dict[int, str]:
    """Each recipient's language, as departments.models.preferred_language reads it, in one
    query for all of them."""
    recipients = {notification.recipient_id for notification in notifications}
    languages = dict.fromkeys(recipients, settings.LANGUAGE_CODE)
    languages.update(
        Profile.objects.filter(user_id__in=recipients).values_list("user_id", "language")
    )
    return languages


def _claim(notification_ids: list[int]) -> list[int]:
    """Claim the rows still to send among `notification_ids` in one conditional UPDATE, as
    send_notification claims one; return the ids claimed."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} "
            "SET state = %s, claimed_at = %s, attempts = attempts + 1 "
            f"WHERE id IN ({', '.join(['%s'] * len(notification_ids))}) AND attempts < %s "
            "AND (state = %s OR (state = %s AND claimed_at < %s)) RETURNING id",
            [
                Notification.State.SENDING,
                now,
                *notification_ids,
                MAX_ATTEMPTS,
                Notification.State.PENDING,
                Notification.State.SENDING,
                now - STALE_CLAIM,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def _return_to_pending(notification: Notification, error: Exception) -> None:
    attempts = notification.attempts
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.FAILED if attempts >= MAX_ATTEMPTS else Notification.State.PENDING,
        last_error=f"{error.__class__.__name__}: {error}",
    )
    logger.warning("notification %s failed (attempt %s): %s", notification.pk, attempts, error)
