"""Correctness under faults for webhooks: a real Celery worker (a subprocess consuming its own
Redis queue) delivering a batch of webhook messages is SIGKILLed while the receiver holds its
answer to one of them. The receiver has the payload; the worker never heard so.

Redis keeps the unacknowledged batch and hands it back: the restarted worker skips every row,
sent or freshly claimed. Once the dead worker's claims are stale (simulated by moving
`claimed_at` back STALE_CLAIM: the workers run on the real clock), the periodic requeue
(`outbox.send_unsent`) delivers the rest. Every webhook-id arrives, verified with the
`standardwebhooks` package; the only one delivered twice is the one in flight when the worker
died, with the same webhook-id (by which a receiver deduplicates, as Standard Webhooks says) and
the same event; only the envelope's `timestamp`, the time of sending, differs."""

from __future__ import annotations

import ast
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db.models import F
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError

from outbox import tasks as outbox_tasks
from outbox.models import Message
from outbox.sending import STALE_CLAIM
from tests.factories import ServiceFactory
from tests.support.celery import (
    FAULT_TESTS,
    age_unacknowledged,
    redis_down,
    unacknowledged,
    wait_until,
)
from tickets import services
from webhooks.models import Webhook

pytestmark = [*FAULT_TESTS, pytest.mark.slow]

REQUESTS = 24
HOLD_AT = 10  # the delivery whose answer the receiver holds


@dataclass
class GatedReceiver:
    """Verifies and keeps every payload (webhook-id, payload); holds its answer to the
    `hold_at`-th until released."""

    hold_at: int
    url: str = ""
    secret: str = ""
    received: list[tuple[str, dict]] = field(default_factory=list)
    unverified: int = 0
    holding: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def take(self, headers: dict, body: bytes) -> None:
        try:
            payload = Verifier(self.secret).verify(body, headers)
        except WebhookVerificationError:
            self.unverified += 1
            return
        self.received.append((headers["webhook-id"], payload))
        if len(self.received) == self.hold_at and not self.holding.is_set():
            self.holding.set()
            self.released.wait(30)


@pytest.fixture
def receiver():
    state = GatedReceiver(hold_at=HOLD_AT)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            state.take({name.lower(): value for name, value in self.headers.items()}, body)
            self.send_response(200)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/accord"
    yield state
    state.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook_batch(receiver, monkeypatch, finance, sales, staff, agent, head) -> list[int]:
    """Finance's webhook told of 24 filed requests; the deliveries wait in the outbox (Redis
    refused them at filing time), the e-mails to people are dropped. The workers may reach the
    loopback receiver, as an administrator allows an internal one."""
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true")
    webhook = Webhook.objects.create(
        owner=head, department=finance, url=receiver.url, events=["tickets.filed"]
    )
    receiver.secret = webhook.secret
    payroll = ServiceFactory(provider=finance, name="Payroll data extract")
    with redis_down():
        for number in range(REQUESTS):
            services.ticket_file(
                requester=staff, service=payroll, customer=sales, title=f"Payroll #{number}"
            )
    Message.objects.filter(recipient__isnull=False).delete()
    ids = sorted(Message.objects.values_list("pk", flat=True))
    assert len(ids) == REQUESTS
    assert set(Message.objects.values_list("state", flat=True)) == {"pending"}
    return ids


def states() -> Counter:
    return Counter(Message.objects.values_list("state", flat=True))


def test_a_webhook_batch_killed_mid_delivery_delivers_every_id_again_only_the_one_in_flight(
    workers, receiver, webhook_batch
):
    ids = webhook_batch
    first = workers("first", queue="webhooks", default_queue="webhooks")
    batch = outbox_tasks.send_messages.apply_async((ids,), queue=first.queue)
    wait_until(receiver.holding.is_set, message="the batch never reached the gate", workers=[first])
    first.kill()
    receiver.released.set()
    # acks_late: the dead worker never acknowledged the batch, so Redis keeps it for redelivery.
    assert unacknowledged(first.queue) == 1

    in_flight = receiver.received[HOLD_AT - 1][0]
    in_limbo = sorted(
        Message.objects.filter(state=Message.State.SENDING).values_list("pk", flat=True)
    )
    assert in_flight == f"msg_{ids[HOLD_AT - 1]}"
    assert in_limbo == ids[HOLD_AT - 1 :]
    assert states() == {"sent": HOLD_AT - 1, "sending": len(ids) - HOLD_AT + 1}

    # Redis hands the batch back after its visibility timeout (made that old here): every row is
    # sent or freshly claimed, so the restarted worker skips them all.
    age_unacknowledged(first.queue, by=timedelta(hours=2))
    second = workers("second", queue="webhooks", default_queue="webhooks")
    wait_until(lambda: second.task_succeeded(batch.id), workers=[second])
    counts = ast.literal_eval(re.search(r"s: (\{.*\})", second.task_succeeded(batch.id))[1])
    assert counts == {"skipped": len(ids)}
    assert len(receiver.received) == HOLD_AT

    # STALE_CLAIM later the periodic requeue delivers the stuck rows, on the real clock: the
    # claims are moved back instead.
    Message.objects.filter(state=Message.State.SENDING).update(
        claimed_at=F("claimed_at") - STALE_CLAIM - timedelta(seconds=1)
    )
    outbox_tasks.send_unsent.apply_async(queue=first.queue)
    wait_until(lambda: states() == {"sent": len(ids)}, workers=[second])
    second.stop()

    assert receiver.unverified == 0
    received = Counter(webhook_id for webhook_id, _payload in receiver.received)
    assert set(received) == {f"msg_{pk}" for pk in ids}, "a webhook-id never arrived"
    assert {webhook_id for webhook_id, times in received.items() if times > 1} == {in_flight}
    assert received[in_flight] == 2
    first_payload, second_payload = (
        payload for webhook_id, payload in receiver.received if webhook_id == in_flight
    )
    assert (first_payload["type"], first_payload["data"]) == (
        second_payload["type"],
        second_payload["data"],
    )
    assert first_payload["data"]["request"]["number"].startswith("FIN-")
