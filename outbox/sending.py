"""Sending the outbox: claim rows (SELECT … FOR UPDATE SKIP LOCKED), withdraw what no longer
holds, send the rest through Django's e-mail backend over one connection per batch, and mark
each sent as soon as the server has accepted it.

A worker killed mid-batch leaves its claimed rows in `sending`; they are claimed again once the
claim is stale. Only the one message whose acceptance the worker never heard can be sent twice,
with the same Message-ID, which no SMTP client can avoid."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from math import ceil

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from common.emails import make_message
from departments.models import preferred_languages
from outbox.destinations import Broken, Later, channel_of
from outbox.kinds import kind_of
from outbox.models import Message

logger = logging.getLogger(__name__)

# A row left in `sending` longer than this belonged to a worker that died; it is claimed again.
# Longer than any batch takes, so that a live worker is never raced.
STALE_CLAIM = timedelta(minutes=10)
# A failed message waits before its next attempt, twice as long after each failure (1, 2, 4, 8
# minutes, never more than RETRY_CAP), and is given up after MAX_ATTEMPTS.
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(minutes=30)
# Rows claimed at a time within a batch: none waits long enough after its claim to go stale.
CHUNK = 50


def retry_delay(attempts: int) -> timedelta:
    """How long a row that has failed `attempts` times waits before the next attempt."""
    return min(RETRY_BASE * 2 ** (attempts - 1), RETRY_CAP)


def claimable(now: datetime) -> Q:
    """Rows a sender may claim at `now`: pending and due (never failed, or waited out their
    retry delay), or claimed by a worker that died."""
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    stale = Q(state=Message.State.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return ((Q(state=Message.State.PENDING) & due) | stale) & Q(attempts__lt=MAX_ATTEMPTS)


def send(message_ids: Iterable[int]) -> Counter:
    """Send the claimable rows among `message_ids` over one connection; rows already sent,
    claimed by a live worker or given up are skipped. Safe to run twice, or twice at once."""
    ids = list(message_ids)
    counts: Counter = Counter()
    held: dict[int, list[int]] = {}  # seconds to wait -> the messages a destination held back
    connection = get_connection()  # opened by the first message, so a refusal fails that one
    try:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            claimed = _claim(chunk)
            counts["skipped"] += len(chunk) - len(claimed)
            loaded = load(claimed)
            messages = withdraw_obsolete(loaded)
            if len(messages) < len(loaded):
                counts["cancelled"] += len(loaded) - len(messages)
            languages = preferred_languages(
                {message.recipient_id for message in messages if message.recipient_id}
            )
            for message in messages:
                if message.destination_id:
                    outcome, wait = _deliver_one(message)
                    counts[outcome] += 1
                    if wait is not None:
                        held.setdefault(ceil(wait), []).append(message.pk)
                else:
                    language = languages[message.recipient_id]
                    counts[_send_one(message, connection, language)] += 1
    finally:
        connection.close()
    _send_again_when_due(held)
    return counts


def _send_again_when_due(held: dict[int, list[int]]) -> None:
    """Queue what destinations held back for when they can take it, rather than leaving it to
    the five-minute requeue (which still catches it if the broker refuses now)."""
    from outbox.services import enqueue

    for seconds, message_ids in sorted(held.items()):
        enqueue(message_ids, after_seconds=seconds)


def requeue_unsent(*, limit: int = 1000) -> int:
    """Queue again the rows still to send: pending once their retry delay is over (their task was
    lost with the broker), or stuck in `sending` past STALE_CLAIM (their worker died)."""
    from outbox.services import enqueue

    ids = list(
        Message.objects.filter(claimable(timezone.now()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return enqueue(ids)


def _claim(message_ids: list[int]) -> list[int]:
    """Lock the rows still to send among `message_ids`, skipping those another sender holds at
    this moment, and mark them `sending` in the same transaction; return their ids."""
    now = timezone.now()
    with transaction.atomic():
        claimed = list(
            Message.objects.filter(claimable(now), pk__in=message_ids)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        Message.objects.filter(pk__in=claimed).update(
            state=Message.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return claimed


def load(message_ids: list[int]) -> list[Message]:
    """The claimed rows with their recipient or destination and what they are about, as each
    kind reads it."""
    messages = list(Message.objects.filter(pk__in=message_ids).select_related("recipient"))
    if any(message.destination_id for message in messages):
        prefetch_related_objects(messages, "destination")
    related: dict[int, set[str]] = {}
    for message in messages:
        if message.about_type_id:
            related.setdefault(message.about_type_id, set()).update(kind_of(message).related)
    querysets = [
        ContentType.objects.get_for_id(type_id).model_class()._base_manager.select_related(*paths)
        for type_id, paths in related.items()
    ]
    if querysets:
        prefetch_related_objects(messages, GenericPrefetch("about", querysets))
    return messages


def withdraw_obsolete(messages: list[Message]) -> list[Message]:
    """Cancel the messages whose reason no longer holds, each with why (one UPDATE per reason);
    return the others. Nothing is sent to a person no longer active (a leaver): written before
    they left, it is withdrawn as gone, like what they held."""
    still_true, gone_by_reason = [], {}
    for message in messages:
        recipient_left = message.recipient_id is not None and not message.recipient.is_active
        if recipient_left or (message.about_id is not None and message.about is None):
            reason = Message.CancelReason.GONE
        else:
            reason = kind_of(message).withdrawn(message)
        if reason:
            gone_by_reason.setdefault(reason, []).append(message.pk)
        else:
            still_true.append(message)
    for reason, message_ids in gone_by_reason.items():
        Message.objects.filter(pk__in=message_ids).update(
            state=Message.State.CANCELLED, cancel_reason=reason
        )
    return still_true


def _send_one(message: Message, connection, language: str) -> str:
    kind = kind_of(message)
    try:
        email = make_message(
            kind.template,
            message.recipient.email,
            kind.template_context(message),
            language=language,
            headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
        )
        connection.open()  # a no-op unless a failure closed the connection
        if connection.send_messages([email]) != 1:
            raise RuntimeError("the e-mail backend did not accept the message")
    except Exception as error:
        _failed(message, error)
        connection.close()  # the next message opens a fresh connection
        return "failed"
    Message.objects.filter(pk=message.pk).update(state=Message.State.SENT, sent_at=timezone.now())
    return "sent"


def _deliver_one(message: Message) -> tuple[str, float | None]:
    """Deliver a message to its destination (a chat's bot, a webhook) through its channel;
    return the outcome and, for a message held back, how long it waits."""
    try:
        channel_of(message).deliver(message)
    except Later as later:
        Message.objects.filter(pk=message.pk).update(
            state=Message.State.PENDING,
            retry_at=timezone.now() + timedelta(seconds=later.seconds),
            attempts=F("attempts") - 1,  # held back, not tried
            last_error=str(later),
        )
        return "held", later.seconds
    except Broken as broken:
        Message.objects.filter(pk=message.pk).update(
            state=Message.State.FAILED, last_error=f"broken destination: {broken}"
        )
        return "failed", None
    except Exception as error:
        _failed(message, error)
        return "failed", None
    Message.objects.filter(pk=message.pk).update(state=Message.State.SENT, sent_at=timezone.now())
    return "sent", None


def _failed(message: Message, error: Exception) -> None:
    """A failed attempt: the row waits out its retry delay, or is given up after the last."""
    attempts = message.attempts  # counted by the claim
    Message.objects.filter(pk=message.pk).update(
        state=Message.State.FAILED if attempts >= MAX_ATTEMPTS else Message.State.PENDING,
        retry_at=timezone.now() + retry_delay(attempts),
        last_error=f"{error.__class__.__name__}: {error}",
    )
    logger.warning("message %s failed (attempt %s): %s", message.pk, attempts, error)
