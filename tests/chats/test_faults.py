"""Correctness under faults for group chats: a real Celery worker (a subprocess consuming its own
Redis queue) delivering a batch of chat messages to DingTalk bots is SIGKILLed while the app
holds its answer to one post. The post is in the group; the worker never heard so, and its
transaction (the bot's row lock, the row marked sent) dies with it.

Redis keeps the unacknowledged batch and hands it back: the restarted worker skips every row,
sent or freshly claimed. Once the dead worker's claims are stale (simulated by moving
`claimed_at` back STALE_CLAIM: the workers run on the real clock), the periodic requeue
(`outbox.send_unsent`) posts the rest. Every message reaches its group; the only one posted
twice, with the same text, is the one in flight when the worker died, as for e-mail
(tests/tickets/test_faults.py)."""

from __future__ import annotations

import ast
import re
import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import F

from chats.models import ChatBot, EventKind
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
from tests.support.chat_vendor import Vendor
from tickets import services

pytestmark = [*FAULT_TESTS, pytest.mark.slow]

BOTS = 3
REQUESTS = 10  # a post each to every bot: 30, under DingTalk's 20 a minute per robot
HOLD_AT = 14  # the post whose answer the app holds, halfway through the batch


class GatedDingTalk(Vendor):
    """The chat apps' stand-in (signatures and shapes checked), holding its answer to post
    number `hold_at` (already in the group) until released."""

    def __init__(self, *, hold_at: int):
        super().__init__()
        self.hold_at = hold_at
        self.holding = threading.Event()
        self.released = threading.Event()

    def reply(self, name: str, hook: str, query: dict, body: dict):
        answer = super().reply(name, hook, query, body)
        if len(self.received) == self.hold_at and not self.holding.is_set():
            self.holding.set()
            self.released.wait(30)
        return answer


@pytest.fixture
def dingtalk():
    server = GatedDingTalk(hold_at=HOLD_AT)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.released.set()
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def chat_batch(dingtalk, monkeypatch, finance, sales, staff, agent, head) -> list[int]:
    """Finance's three signed DingTalk robots, each told of ten filed requests; the posts wait in
    the outbox (Redis refused them at filing time), the e-mails to people are dropped. The
    workers may reach the loopback stand-in, as an administrator allows an internal one."""
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", "true")
    for number in range(BOTS):
        token, secret = f"token-{number}", f"SEC-robot-{number}"
        dingtalk.secrets[token] = secret
        ChatBot.objects.create(
            department=finance,
            vendor="dingtalk",
            name=f"Finance group {number}",
            address=dingtalk.address("dingtalk", token),
            secret=secret,
            kinds=[EventKind.FILED],
        )
    payroll = ServiceFactory(provider=finance, name="Payroll data extract")
    with redis_down():
        for number in range(REQUESTS):
            services.ticket_file(
                requester=staff, service=payroll, customer=sales, title=f"Payroll #{number}"
            )
    Message.objects.filter(recipient__isnull=False).delete()
    ids = sorted(Message.objects.values_list("pk", flat=True))
    assert len(ids) == BOTS * REQUESTS
    assert set(Message.objects.values_list("state", flat=True)) == {"pending"}
    return ids


def states() -> Counter:
    return Counter(Message.objects.values_list("state", flat=True))


def posted(hook: str, body: dict) -> tuple[str, str]:
    """(robot, request number) of a post received by the app."""
    [reference] = re.findall(r"\bFIN-\d+\b", body["markdown"]["text"])
    return hook, reference


def expected_posts() -> set[tuple[str, str]]:
    bots = {bot.pk: bot.address.rpartition("=")[2] for bot in ChatBot.objects.all()}
    return {
        (bots[message.destination_id], message.about.ticket.reference)
        for message in Message.objects.all()
    }


def test_a_chat_batch_killed_mid_post_reaches_every_group_posting_again_only_the_one_in_flight(
    workers, dingtalk, chat_batch
):
    ids = chat_batch
    first = workers("first", queue="chats", default_queue="chats")
    batch = outbox_tasks.send_messages.apply_async((ids,), queue=first.queue)
    wait_until(dingtalk.holding.is_set, message="the batch never reached the gate", workers=[first])
    first.kill()
    dingtalk.released.set()
    # acks_late: the dead worker never acknowledged the batch, so Redis keeps it for redelivery.
    assert unacknowledged(first.queue) == 1

    # The post in flight is in its group but its row is not marked sent (that update was in the
    # dead worker's transaction); the rest of the batch is claimed, not yet posted.
    in_flight = posted(*dingtalk.received[HOLD_AT - 1][1:])
    in_limbo = sorted(
        Message.objects.filter(state=Message.State.SENDING).values_list("pk", flat=True)
    )
    assert in_limbo == ids[HOLD_AT - 1 :]
    assert states() == {"sent": HOLD_AT - 1, "sending": len(ids) - HOLD_AT + 1}
    assert len(dingtalk.received) == HOLD_AT

    # Redis hands the batch back after its visibility timeout (made that old here): every row is
    # sent or freshly claimed, so the restarted worker skips them all.
    age_unacknowledged(first.queue, by=timedelta(hours=2))
    second = workers("second", queue="chats", default_queue="chats")
    wait_until(lambda: second.task_succeeded(batch.id), workers=[second])
    counts = ast.literal_eval(re.search(r"s: (\{.*\})", second.task_succeeded(batch.id))[1])
    assert counts == {"skipped": len(ids)}
    assert unacknowledged(first.queue) == 0
    assert len(dingtalk.received) == HOLD_AT

    # STALE_CLAIM later the periodic requeue posts the stuck rows, on the real clock: the claims
    # are moved back instead.
    Message.objects.filter(state=Message.State.SENDING).update(
        claimed_at=F("claimed_at") - STALE_CLAIM - timedelta(seconds=1)
    )
    outbox_tasks.send_unsent.apply_async(queue=first.queue)
    wait_until(lambda: states() == {"sent": len(ids)}, workers=[second])
    second.stop()

    assert dingtalk.problems == []  # every post in DingTalk's shape, its signature right
    received = Counter(posted(hook, body) for _name, hook, body in dingtalk.received)
    assert set(received) == expected_posts(), "a post never reached its group"
    assert {post for post, times in received.items() if times > 1} == {in_flight}
    assert received[in_flight] == 2
    first_post, second_post = (
        body for _name, hook, body in dingtalk.received if posted(hook, body) == in_flight
    )
    assert first_post == second_post
    assert sorted(Message.objects.filter(attempts=2).values_list("pk", flat=True)) == in_limbo
