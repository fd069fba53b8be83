"""Delivering outbox messages to group chat bots (the `chats` channel of outbox.destinations).

Each bot's deliveries are serialised by a lock on its row, shared by all workers: under the lock
a sender counts the bot's messages sent within the vendor's windows (outbox rows in state
`sent`), holds the message back (Later) when the bot is at its limit, else posts it and marks it
sent before the lock is released. A burst is therefore spread over the minutes it needs, never
lost, and no bot receives more than its vendor allows. When more messages wait than the bot can
take in the next minute, they are folded into one summary (fold_burst): a message of its own,
held back like the others, that lists them; each folded message is marked sent with `in_digest`
pointing at it, so it is never posted on its own."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

import requests
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from chats import letters
from chats.models import ChatBot
from chats.text import compose, test_post
from chats.vendors import LIMITS, Outcome, Post, build, read_answer
from common import safe_http
from common.addresses import Refused
from departments.models import Membership
from outbox.destinations import Broken, Later
from outbox.models import Message
from outbox.services import enqueue, queue

logger = logging.getLogger(__name__)

# Seconds to connect, then to wait for the answer: a hanging vendor costs a worker little.
TIMEOUT = (3.05, 5)


class DeliveryFailed(Exception):
    """A failed attempt, retried with back-off. Its text never holds the bot's address."""


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (the address was refused)
    body: str
    outcome: Outcome


# A key that encrypted the bot's credentials was dropped: no retry will read them again.
UNREADABLE = Outcome(
    broken="its address or signing secret cannot be decrypted with the encryption keys in use "
    "(was a key dropped?): enter them again"
)


def subscribers(kind: str) -> list[ChatBot]:
    """The working bots that receive `kind` (each hears of its own department's events)."""
    bots = ChatBot.objects.working().order_by("pk")
    return [bot for bot in bots if bot.receives(kind)]


def deliver(message: Message) -> None:
    """Post `message` to its bot within the vendor's limits; raise Later at the limit or when
    the vendor says so, Broken when the vendor refuses the bot for good, DeliveryFailed else."""
    if message.destination is None:
        raise Broken("the bot was deleted")
    post = compose(message, message.destination.language)
    with transaction.atomic():
        # The lock every worker takes before posting to this bot: counting and posting are one
        # step, so two workers never both take the last free slot. Read under it, the bot is
        # as the last sender left it (perhaps broken since this batch was loaded).
        bot = ChatBot.objects.select_for_update().get(pk=message.destination_id)
        if bot.broken_at:
            raise Broken(bot.broken_reason or "the bot is marked broken")
        if bot.credentials_unreadable:
            outcome = UNREADABLE
        else:
            now = timezone.now()
            wait = seconds_until_free(bot, now)
            if wait and message.kind != letters.SUMMARY and fold_burst(bot, message, wait, now):
                return
            if wait:
                raise Later(wait, f"rate limit of the bot: held back for {wait:.0f} s")
            answer = post_to(bot, post)
            outcome = answer.outcome
            if outcome.delivered:
                Message.objects.filter(pk=message.pk).update(
                    state=Message.State.SENT, sent_at=timezone.now()
                )
    act_on(bot, outcome)


def act_on(bot: ChatBot, outcome: Outcome) -> None:
    if outcome.delivered:
        return
    if outcome.later is not None:
        raise Later(outcome.later, f"the {bot.vendor} app asks to slow down")
    if outcome.broken:
        mark_broken(bot, outcome.broken)
        raise Broken(outcome.broken)
    raise DeliveryFailed(f"{bot.vendor} bot {bot.pk}: {outcome.failed}")


def seconds_until_free(bot: ChatBot, now: datetime) -> float:
    """0 when the bot may take a message now, else the seconds until its oldest message in a
    full window leaves that window."""
    sent = Message.objects.filter(
        destination_type=ContentType.objects.get_for_model(ChatBot),
        destination_id=bot.pk,
        state=Message.State.SENT,
        in_digest__isnull=True,  # folded into a summary: not posted on its own
    )
    wait = 0.0
    for seconds, limit in LIMITS[bot.vendor]:
        window = timedelta(seconds=seconds)
        times = list(
            sent.filter(sent_at__gt=now - window)
            .order_by("-sent_at")
            .values_list("sent_at", flat=True)[:limit]
        )
        if len(times) >= limit:
            wait = max(wait, (times[-1] + window - now).total_seconds(), 0.1)
    return wait


def per_minute(vendor: str) -> int:
    """How many messages a bot of `vendor` may take in a minute."""
    return min(limit * 60 // seconds for seconds, limit in LIMITS[vendor])


def fold_burst(bot: ChatBot, message: Message, wait: float, now: datetime) -> Message | None:
    """When more of the bot's messages wait than it can take in the next minute, fold them and
    `message` (claimed by this sender) into the bot's summary still to send, written when there
    is none, and return it; None when they fit. Called under the bot's lock. Rows another
    sender has claimed meanwhile are left to it (skip locked, and no longer pending)."""
    destination = {
        "destination_type": ContentType.objects.get_for_model(ChatBot),
        "destination_id": bot.pk,
    }
    waiting = Message.objects.filter(
        **destination, state=Message.State.PENDING, in_digest__isnull=True
    ).exclude(kind=letters.SUMMARY)
    if waiting.exclude(pk=message.pk).count() + 1 <= per_minute(bot.vendor):
        return None
    folded = list(
        waiting.exclude(pk=message.pk)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: letters.SUMMARY_SIZE - 1]
    )
    summary = (
        Message.objects.filter(**destination, kind=letters.SUMMARY, state=Message.State.PENDING)
        .select_for_update(skip_locked=True)
        .order_by("pk")
        .first()
    )
    if summary and summary.gathered.count() + len(folded) + 1 > letters.SUMMARY_SIZE:
        summary = None  # full: a longer burst makes another summary
    if summary is None:
        # Held back like the messages it lists: not claimed before the bot is free.
        summary = Message.objects.create(
            kind=letters.SUMMARY, **destination, retry_at=now + timedelta(seconds=wait)
        )
        summary_id = summary.pk
        transaction.on_commit(lambda: enqueue([summary_id], after_seconds=ceil(wait)))
    Message.objects.filter(pk__in=[*folded, message.pk]).update(
        state=Message.State.SENT, sent_at=now, in_digest=summary
    )
    logger.info(
        "chat bot %s: %s messages folded into summary %s", bot.pk, len(folded) + 1, summary.pk
    )
    return summary


def post_to(bot: ChatBot, post: Post) -> Answer:
    """Post to the bot's app and read its answer. Errors name the vendor and the bot's id, never
    its address (which holds the credential for WeCom and DingTalk)."""
    request = build(bot.vendor, bot.address, bot.secret, post, time.time())
    try:
        # Through the SSRF guard webhooks use: a bot's address is typed by a head, and the test
        # button shows the answer, so it must not reach the company's own network.
        response = safe_http.post(
            request.url, params=request.params or None, json=request.body, timeout=TIMEOUT
        )
    except Refused as refused:
        logger.warning("chat bot %s (%s): address refused", bot.pk, bot.vendor)
        reason = f"the bot's address is not allowed ({refused})"
        return Answer(None, reason, Outcome(broken=reason))
    except requests.RequestException as error:
        logger.warning("chat bot %s (%s): %s", bot.pk, bot.vendor, error.__class__.__name__)
        raise DeliveryFailed(f"{bot.vendor} bot {bot.pk}: {error.__class__.__name__}") from None
    body = response.text[:2000]
    outcome = read_answer(
        bot.vendor, response.status_code, body, response.headers.get("Retry-After")
    )
    if not outcome.delivered:
        logger.warning("chat bot %s (%s): HTTP %s", bot.pk, bot.vendor, response.status_code)
    return Answer(response.status_code, body, outcome)


def mark_broken(bot: ChatBot, reason: str) -> None:
    """Record that the app refuses the bot, and tell its department's heads once."""
    updated = ChatBot.objects.filter(pk=bot.pk, broken_at__isnull=True).update(
        broken_at=timezone.now(), broken_reason=reason[:300]
    )
    if not updated:
        return  # another worker saw it first
    bot.refresh_from_db()
    logger.warning("chat bot %s (%s) is broken", bot.pk, bot.vendor)
    told_before = Message.objects.filter(
        kind=letters.BROKEN,
        about_type=ContentType.objects.get_for_model(ChatBot),
        about_id=bot.pk,
    ).aggregate(last=Max("round"))["last"]
    queue(letters.BROKEN, bot, _heads(bot), round=(told_before or 0) + 1)


def _heads(bot: ChatBot) -> list:
    """The heads of the bot's department; the administrators when it has none."""
    heads = [
        membership.user
        for membership in Membership.objects.heads()
        .filter(department_id=bot.department_id)
        .select_related("user")
    ]
    return heads or list(get_user_model().objects.filter(is_superuser=True, is_active=True))


def send_test(bot: ChatBot) -> Answer:
    """Post a test message now, outside the outbox, and return the app's answer. A bot that
    answers well is working again."""
    if bot.credentials_unreadable:
        mark_broken(bot, UNREADABLE.broken)
        return Answer(None, UNREADABLE.broken, UNREADABLE)
    answer = post_to(bot, test_post(bot, bot.language))
    if answer.outcome.delivered and bot.broken_at:
        ChatBot.objects.filter(pk=bot.pk).update(broken_at=None, broken_reason="")
        bot.broken_at, bot.broken_reason = None, ""
    return answer
