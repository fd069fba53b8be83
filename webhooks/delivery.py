"""Delivering payloads to webhooks, signed as the Standard Webhooks specification says
(https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and `webhook-signature`,
`v1,` and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the secret's bytes.

A 2xx answer is a success; 410 Gone means the receiver wants no more (the webhook is disabled,
the message never retried); anything else, a time-out or a refused connection is a failure the
outbox retries with back-off. After WEBHOOKS_DISABLE_AFTER_FAILURES failures in a row the
webhook is disabled and its owner told by e-mail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from secrets import token_hex

import requests
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils import timezone

from common import safe_http
from common.addresses import Refused
from outbox.destinations import Broken
from outbox.models import Message
from outbox.services import queue
from webhooks.events import Event, payload, test_payload
from webhooks.letters import DISABLED
from webhooks.models import SECRET_PREFIX, Delivery, Webhook

logger = logging.getLogger(__name__)

GONE = 410
# The receiver's answer kept in the log, no more (an error page can be large).
RESPONSE_EXCERPT = 500


class DeliveryFailed(Exception):
    """The receiver did not accept the payload; the outbox tries again later."""


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    duration_ms: int | None
    error: str
    refused: bool = False

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def subscribers(kind: str) -> Iterable[Webhook]:
    """Active webhooks that receive `kind` (company-wide ones hear of every department)."""
    if kind not in Event.values:
        return []
    candidates = Webhook.objects.filter(active=True)
    # Filtered here: SQLite cannot look inside a JSON list.
    return [webhook for webhook in candidates if kind in webhook.events]


def deliver(message: Message) -> None:
    """The outbox channel's deliverer: post the message's payload to its webhook."""
    webhook = message.destination
    if webhook is None or not webhook.active:
        raise Broken("the webhook was disabled or deleted")
    body = payload(message.kind, message.about)
    outcome = post(webhook, body, webhook_id=f"msg_{message.pk}", message_id=message.pk)
    if outcome.succeeded:
        return
    if outcome.status_code == GONE:
        _disable(webhook)
        raise Broken(f"the receiver answered {GONE} Gone")
    if outcome.refused:
        raise Broken(outcome.error)
    raise DeliveryFailed(outcome.error or f"the receiver answered {outcome.status_code}")


def send_test(webhook: Webhook) -> Outcome:
    """Post a test event now and return how the receiver answered."""
    return post(webhook, test_payload(webhook), webhook_id=f"test_{token_hex(12)}")


def post(
    webhook: Webhook, body: dict, *, webhook_id: str, message_id: int | None = None
) -> Outcome:
    """Sign and post `body` to the webhook, log the attempt, and count it towards the run of
    failures that disables the webhook."""
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": "Accord-Webhooks/1",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(webhook.secret, webhook_id, timestamp, data),
    }
    outcome = _send(webhook.url, data, headers)
    Delivery.objects.create(
        webhook=webhook,
        message_id=message_id,
        at=timezone.now(),
        payload=data.decode(),
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error,
    )
    if outcome.succeeded:
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
    else:
        _count_failure(webhook)
    return outcome


def _send(url: str, data: bytes, headers: dict) -> Outcome:
    timeout = float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 5))
    started = time.perf_counter()
    try:
        # The SSRF check is made when connecting, on the address connected to (safe_http).
        response = safe_http.post(url, data=data, headers=headers, timeout=timeout)
    except Refused as refused:
        return Outcome(None, None, f"refused: {refused}", refused=True)
    except requests.Timeout:
        return Outcome(None, _ms_since(started), f"no answer within {timeout:g} s")
    except requests.RequestException as error:
        return Outcome(None, _ms_since(started), f"{error.__class__.__name__}: {error}")
    duration = _ms_since(started)
    if 200 <= response.status_code < 300:
        return Outcome(response.status_code, duration, "")
    excerpt = response.text[:RESPONSE_EXCERPT]
    return Outcome(response.status_code, duration, f"HTTP {response.status_code}: {excerpt}")


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _count_failure(webhook: Webhook) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    limit = int(getattr(settings, "WEBHOOKS_DISABLE_AFTER_FAILURES", 10))
    failures = Webhook.objects.filter(pk=webhook.pk).values_list("consecutive_failures", flat=True)
    if limit and failures.first() is not None and failures.first() >= limit:
        _disable(webhook)


def _disable(webhook: Webhook) -> None:
    """Disable the webhook and tell its owner, once (whoever disables it first)."""
    disabled = Webhook.objects.filter(pk=webhook.pk, active=True).update(
        active=False, disabled_at=timezone.now()
    )
    if disabled:
        webhook.active = False
        logger.warning("webhook %s disabled", webhook.pk)
        # Once per time it is disabled: it may be enabled again and fail again.
        told = Message.objects.filter(
            kind=DISABLED,
            about_type=ContentType.objects.get_for_model(Webhook),
            about_id=webhook.pk,
        ).count()
        queue(DISABLED, webhook, [webhook.owner], round=told + 1)
