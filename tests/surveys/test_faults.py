"""Exactly-once invitations under a killed worker: a real Celery worker (a subprocess consuming
its own Redis queue, as in tests/tickets/test_faults.py) is SIGKILLed halfway through a batch,
while the SMTP server holds the MAIL command of one message; a restarted worker finishes the job.
Every invitation arrives exactly once.

The kill comes before the held message is delivered. A kill after the server has accepted a
message but before its reply reaches the worker can still send that one message twice (the
same Message-ID): no SMTP client can know about a delivery whose reply it never got; every kind
of message shares that case, since all are sent by outbox.sending."""

import asyncio
import email
import threading
import time
from collections import Counter
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.db.models import F
from django.utils import timezone

from outbox import tasks
from outbox.models import Message
from outbox.sending import CHUNK, STALE_CLAIM
from surveys import letters, services
from surveys.models import Invitation
from tests.support.celery import (
    FAULT_TESTS,
    age_unacknowledged,
    redis_down,
    unacknowledged,
    wait_until,
)
from tests.support.smtp import free_port

pytestmark = FAULT_TESTS

INVITATIONS = 120


class HoldBeforeDelivery:
    """An SMTP handler that keeps the Message-ID of each message it accepts and holds the MAIL
    command of message number `hold_at` until released: the sender is mid-exchange, nothing of
    that message delivered yet."""

    def __init__(self, *, hold_at: int):
        self.hold_at, self.mail_commands = hold_at, 0
        self.message_ids: list[str] = []
        self.holding, self.released = threading.Event(), threading.Event()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mail_commands += 1
        if self.mail_commands == self.hold_at:
            self.holding.set()
            deadline = time.monotonic() + 30
            while not self.released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.message_ids.append(message["Message-ID"])
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_hold():
    started = []

    def start(*, hold_at: int):
        handler = HoldBeforeDelivery(hold_at=hold_at)
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append((controller, handler))
        return handler, f"smtp://127.0.0.1:{controller.port}"

    yield start
    for controller, handler in started:
        handler.released.set()
        controller.stop()


@pytest.fixture
def pending_invitations(campaign, hr, sales, finance, requests_filed, people):
    """A launched wave (on the real clock: the workers do not share a frozen one) whose
    invitation messages wait unsent, Redis refusing them at launch; their ids."""
    respondents = people(sales, INVITATIONS)
    requests_filed(customer=sales, provider=finance, people=respondents,
                   filed_at=timezone.now() - timedelta(days=3))  # fmt: skip
    with redis_down():
        services.campaign_launch(campaign_id=campaign(starts_on=timezone.localdate()).pk, by=hr)
    assert Invitation.objects.count() == INVITATIONS
    ids = sorted(invitation_messages().values_list("pk", flat=True))
    assert len(ids) == INVITATIONS
    assert not invitation_messages().exclude(state=Message.State.PENDING).exists()
    return ids


def invitation_messages():
    return Message.objects.filter(kind=letters.INVITATION)


def unsent():
    return invitation_messages().exclude(state=Message.State.SENT)


def test_a_batch_killed_midway_and_restarted_sends_every_invitation_exactly_once(
    workers, smtp_hold, pending_invitations
):
    ids = pending_invitations
    hold_at = CHUNK + CHUNK // 2  # halfway through the second chunk
    server, email_url = smtp_hold(hold_at=hold_at)
    first = workers("first", queue="surveys", default_queue="surveys", email_url=email_url)
    batch = tasks.send_messages.apply_async((ids,), queue=first.queue)
    wait_until(server.holding.is_set, message="the batch never reached the gate", workers=[first])

    first.kill()
    server.released.set()

    # acks_late: Redis keeps the unacknowledged batch. The dead worker marked everything it
    # sent; the rest of its chunk is claimed, the last chunk untouched.
    assert unacknowledged(first.queue) == 1
    assert len(server.message_ids) == hold_at - 1
    assert invitation_messages().filter(state=Message.State.SENT).count() == hold_at - 1
    in_limbo = invitation_messages().filter(state=Message.State.SENDING)
    assert in_limbo.count() == 2 * CHUNK - (hold_at - 1)

    # The batch is handed back (made as old as Redis's visibility timeout): the restarted
    # worker sends the unclaimed rows and skips the dead worker's fresh claims.
    age_unacknowledged(first.queue, by=timedelta(hours=2))
    second = workers("second", queue="surveys", default_queue="surveys", email_url=email_url)
    wait_until(lambda: second.task_succeeded(batch.id), workers=[second])
    assert f"'sent': {INVITATIONS - 2 * CHUNK}" in second.task_succeeded(batch.id)

    # Once the claims are stale (moved back: the workers run on the real clock), the periodic
    # requeue sends them.
    in_limbo.update(claimed_at=F("claimed_at") - STALE_CLAIM - timedelta(seconds=1))
    tasks.send_unsent.apply_async(queue=second.queue)
    wait_until(lambda: not unsent().exists(), workers=[second])
    second.stop()

    received = Counter(server.message_ids)
    assert set(received) == {message.message_id for message in invitation_messages()}
    assert {message.recipient_id for message in invitation_messages()} == set(
        Invitation.objects.values_list("recipient_id", flat=True)
    )  # one per person invited
    assert max(received.values()) == 1, "an invitation was e-mailed twice"
