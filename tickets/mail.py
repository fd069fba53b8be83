"""Sending the notification outbox: claim a row with a conditional UPDATE, send, mark it sent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from config.emails import make_message
from departments.models import preferred_language
from tickets.approval_links import approval_link_path
from tickets.models import Notification

logger = logging.getLogger(__name__)

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
    notification = Notification.objects.select_related(
        "ticket__provider",
        "ticket__customer",
        "ticket__service",
        "ticket__requester",
        "ticket__assignee",
        "ticket__agreement__calendar",
        "recipient",
        "event__actor",
        "approval",
    ).get(pk=notification_id)
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


def build_message(notification: Notification):
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
    return make_message(
        f"tickets/{notification.kind}",
        notification.recipient.email,
        context,
        language=preferred_language(notification.recipient),
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
