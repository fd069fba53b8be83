"""Correctness under faults: real Celery workers, each a subprocess consuming its own Redis
queue, killed with SIGKILL at the worst moment, then restarted.

- An outbox batch (`outbox.send_messages`) killed after the SMTP server has accepted an e-mail
  whose row is not yet marked sent: Redis keeps the unacknowledged batch and redelivers it, which
  sends only the rows the dead worker never claimed; once its claims are stale (simulated by
  moving `claimed_at` back STALE_CLAIM: the workers run on the real clock), the periodic requeue
  (`outbox.send_unsent`) sends the rest. Every message ends sent, every Message-ID arrives, and
  the only duplicate is the e-mail whose SMTP reply the worker never got (each row is marked
  right after its exchange), sent again with its Message-ID.
- A scan killed after it has written breaches but before its commit: the kill rolls it back, the
  next scan flags every target once.
- A scan killed after its commit, while writing the notifications of its alerts: the alerts stay
  on record untold, and the next scan tells each once.
- Two scans at once on two workers: every target flagged once.

The moment of each kill is made deterministic rather than guessed: the SMTP server holds its reply
to the Nth message, and a row lock held by the test stops a scan inside its transaction (after its
first INSERT, at its first UPDATE). The workers run on the real clock and the real test database
(pytest-django's, hence transactional tests). Each worker publishes what it queues itself to a
queue of the test (tests/support/faults_worker.py), never to the shared default queue.
"""

from __future__ import annotations

import ast
import asyncio
import email
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count, F

from agreements.models import ApprovalStep, Priority
from outbox import tasks as outbox_tasks
from outbox.models import Message
from outbox.sending import CHUNK, STALE_CLAIM
from tests.factories import CalendarFactory, ServiceFactory, UserFactory, agreement_in_force
from tests.support.celery import (
    FAULT_TESTS,
    Worker,
    age_unacknowledged,
    redis_down,
    unacknowledged,
    wait_until,
    worker_database_url,
    worker_sessions,
)
from tests.support.smtp import free_port
from tickets import letters, services, tasks
from tickets.models import Approval, Breach, Target, TargetWarning, Ticket

BASE_DIR = Path(django_settings.BASE_DIR)
SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


pytestmark = FAULT_TESTS


# An SMTP server that holds its reply to one message ------------------------------------------


class GatedRecorder:
    """Keeps the Message-ID of every message it accepts, taking `delay` per message. On
    receiving message number `hold_at` it keeps it but holds the 250 reply until released: the
    sender has delivered an e-mail it does not know is delivered."""

    def __init__(self, *, hold_at: int, delay: float = 0.005):
        self.hold_at, self.delay = hold_at, delay
        self.message_ids: list[str] = []
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.message_ids.append(message["Message-ID"])
        await asyncio.sleep(self.delay)
        if len(self.message_ids) == self.hold_at:
            self.holding.set()
            deadline = time.monotonic() + 30
            while not self.released.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_gate():
    controllers = []

    def start(*, hold_at: int) -> tuple[GatedRecorder, str]:
        recorder = GatedRecorder(hold_at=hold_at)
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append((controller, recorder))
        return recorder, f"smtp://127.0.0.1:{controller.port}"

    yield start
    for controller, recorder in controllers:
        recorder.released.set()
        controller.stop()


# Outbox batches ---------------------------------------------------------------------------------


@pytest.fixture
def pending_messages(finance, sales, staff, agent, head):
    """Filed requests whose "filed" e-mails (two each: the agent and the head of Finance) wait in
    the outbox, Redis refusing them at filing time."""

    def make(count: int) -> list[int]:
        payroll = ServiceFactory(provider=finance, name="Payroll data extract")
        with redis_down():
            for number in range(count // 2):
                services.ticket_file(
                    requester=staff, service=payroll, customer=sales, title=f"Payroll #{number}"
                )
        ids = sorted(Message.objects.values_list("pk", flat=True))
        assert len(ids) == count
        assert set(Message.objects.values_list("state", flat=True)) == {"pending"}
        return ids

    return make


def states() -> Counter:
    return Counter(Message.objects.values_list("state", flat=True))


def kill_batch_while_an_email_is_unconfirmed(workers, smtp_gate, ids, *, hold_at):
    """Send `ids` in one batch on a worker, SIGKILL it while the SMTP server holds its reply to
    message number `hold_at`; return the recorder, the server's URL, the queue, the ids the dead
    worker left in "sending" and the batch's task id."""
    recorder, email_url = smtp_gate(hold_at=hold_at)
    first = workers("first", queue="mail", default_queue="mail", email_url=email_url)
    batch = outbox_tasks.send_messages.apply_async((ids,), queue=first.queue)
    wait_until(recorder.holding.is_set, message="the batch never reached the gate", workers=[first])
    first.kill()
    recorder.released.set()
    # acks_late: the dead worker never acknowledged the batch, so Redis keeps it for redelivery.
    assert unacknowledged(first.queue) == 1

    in_limbo = sorted(
        Message.objects.filter(state=Message.State.SENDING).values_list("pk", flat=True)
    )
    return recorder, email_url, first.queue, in_limbo, batch.id


def test_a_batch_killed_mid_chunk_ends_all_sent_duplicating_at_most_the_unmarked_chunk(
    workers, smtp_gate, pending_messages
):
    ids = pending_messages(200)
    hold_at = CHUNK + CHUNK // 2  # halfway through the second chunk
    recorder, email_url, queue, in_limbo, batch_id = kill_batch_while_an_email_is_unconfirmed(
        workers, smtp_gate, ids, hold_at=hold_at
    )

    # The dead worker leaves in "sending" the e-mail in flight and the rest of its chunk, not yet
    # sent; everything before them is marked sent, everything after them never claimed.
    assert 1 <= len(in_limbo) <= CHUNK
    assert states()["sent"] + len(in_limbo) >= hold_at
    never_claimed = states()["pending"]
    assert states()["sent"] + len(in_limbo) + never_claimed == len(ids)
    assert len(recorder.message_ids) == hold_at
    delivered_in_limbo = set(recorder.message_ids) & {
        notification.message_id for notification in Message.objects.filter(pk__in=in_limbo)
    }

    # Redis hands the unacknowledged batch back after its visibility timeout (an hour by
    # default; here the message is made that old): the restarted worker runs the same batch again
    # and skips every row sent or freshly claimed, sending only those the dead worker never
    # claimed.
    age_unacknowledged(queue, by=timedelta(hours=2))
    second = workers("second", queue="mail", default_queue="mail", email_url=email_url)
    wait_until(lambda: second.task_succeeded(batch_id), workers=[second])
    counts = ast.literal_eval(re.search(r"s: (\{.*\})", second.task_succeeded(batch_id))[1])
    assert counts == {"skipped": len(ids) - never_claimed, "sent": never_claimed}
    assert unacknowledged(queue) == 0
    assert len(recorder.message_ids) == hold_at + never_claimed

    # STALE_CLAIM (10 minutes) later, the periodic requeue sends the stuck rows again. The worker
    # runs on the real clock, so the window's passing is simulated by moving the claims back.
    Message.objects.filter(state=Message.State.SENDING).update(
        claimed_at=F("claimed_at") - STALE_CLAIM - timedelta(seconds=1)
    )
    outbox_tasks.send_unsent.apply_async(queue=queue)
    wait_until(lambda: states() == {"sent": len(ids)}, workers=[second])
    second.stop()

    received = Counter(recorder.message_ids)
    expected = {n.pk: n.message_id for n in Message.objects.all()}
    assert set(received) == set(expected.values()), "an e-mail never arrived"
    duplicated = {message_id for message_id, times in received.items() if times > 1}
    assert max(received.values()) <= 2
    # The one duplicate possible is the e-mail in flight when the worker died.
    assert duplicated <= delivered_in_limbo
    assert len(duplicated) <= 1
    assert sorted(Message.objects.filter(attempts=2).values_list("pk", flat=True)) == in_limbo


def test_a_batch_killed_mid_exchange_sends_again_only_the_email_it_never_saw_confirmed(
    workers, smtp_gate, pending_messages
):
    """The issue's "a worker killed after sending must not lead to a second e-mail": every
    e-mail whose acceptance reached the worker is on record as sent and never sent again. The
    e-mail in flight, delivered but its reply never received, is indistinguishable to any SMTP
    client from one the server dropped; its row is left "sending" and, once the claim is stale,
    sent again with the same Message-ID, by which mail systems and clients recognise it."""
    ids = pending_messages(20)
    recorder, email_url, queue, in_limbo, _ = kill_batch_while_an_email_is_unconfirmed(
        workers, smtp_gate, ids, hold_at=10
    )
    in_flight = recorder.message_ids[9]
    # Each e-mail is marked sent after its SMTP exchange: only the unconfirmed one and those not
    # yet sent are left claimed.
    assert in_limbo == ids[9:]
    assert Message.objects.get(pk=ids[9]).message_id == in_flight
    second = workers("second", queue="mail", default_queue="mail", email_url=email_url)
    Message.objects.filter(state=Message.State.SENDING).update(
        claimed_at=F("claimed_at") - STALE_CLAIM - timedelta(seconds=1)
    )
    outbox_tasks.send_unsent.apply_async(queue=queue)
    wait_until(lambda: states() == {"sent": len(ids)}, workers=[second])

    received = Counter(recorder.message_ids)
    assert set(received) == {n.message_id for n in Message.objects.all()}
    assert {message_id for message_id, times in received.items() if times > 1} == {in_flight}
    assert received[in_flight] == 2


# Breach scans -----------------------------------------------------------------------------------

CLONES = 1500  # copies of the filed requests: thousands of targets due for one scan


@pytest.fixture
def overdue(finance, sales, staff, agent, head):
    """Requests under an agreement whose targets are all past due on the real clock (the workers
    do not share the test's frozen clock): a few filed through tickets.services, two of them
    waiting on an approval step, then copied in bulk SQL. Returns the expected breaches, each
    (ticket id, target, step), sorted."""
    cfo = UserFactory(username="cfo", first_name="Jun", last_name="Qian")
    payroll = ServiceFactory(provider=finance, name="Payroll", default_priority=Priority.P2)
    purchase = ServiceFactory(provider=finance, name="Purchase request")
    ApprovalStep.objects.create(
        service=purchase,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
    )
    ApprovalStep.objects.create(
        service=purchase, position=2, approver=ApprovalStep.Approver.PERSON, person=cfo
    )
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        agreement_in_force(
            provider=finance,
            customers=[sales],
            services=[payroll, purchase],
            targets=dict.fromkeys(Priority, (4 * HOUR, 8 * HOUR)),
            calendar=CalendarFactory(name="China office"),
            windows={1: 8 * HOUR, 2: 16 * HOUR},
        )
    with (
        time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=False),
        redis_down(),
    ):
        filed = [
            services.ticket_file(
                requester=staff, service=payroll, customer=sales, title=f"Payroll #{n}"
            )
            for n in range(2)
        ]
        for n in range(2):
            services.ticket_file(
                requester=staff, service=purchase, customer=sales, title=f"Laptops #{n}"
            )
    Message.objects.all().delete()  # the "filed" e-mails: not what these tests count

    columns = [field.column for field in Ticket._meta.concrete_fields if not field.primary_key]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Ticket._meta.db_table} ({listed}) SELECT {listed} "
            f"FROM {Ticket._meta.db_table} CROSS JOIN generate_series(1, %s) "
            "WHERE id = ANY(%s)",
            [CLONES, [ticket.pk for ticket in filed]],
        )
        # Every target due an hour ago on the real clock, its warning two hours ago.
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET "
            "first_response_due_at = now() - interval '1 hour', "
            "first_response_warn_at = now() - interval '2 hours', "
            "resolution_due_at = now() - interval '1 hour', "
            "resolution_warn_at = now() - interval '2 hours' "
            "WHERE first_response_due_at IS NOT NULL"
        )
        cursor.execute(
            f"UPDATE {Approval._meta.db_table} SET due_at = now() - interval '1 hour', "
            "warn_at = now() - interval '2 hours' WHERE current_since IS NOT NULL"
        )
    expected = []
    for ticket_id in Ticket.objects.filter(first_response_due_at__isnull=False).values_list(
        "pk", flat=True
    ):
        expected += [(ticket_id, Target.FIRST_RESPONSE, 0), (ticket_id, Target.RESOLUTION, 0)]
    expected += [
        (ticket_id, Target.APPROVAL, position)
        for ticket_id, position in Approval.objects.filter(
            current_since__isnull=False, decision=""
        ).values_list("ticket_id", "position")
    ]
    assert len(expected) >= 2 * 2 * CLONES + 2
    assert any(target == Target.APPROVAL for _, target, _ in expected)
    return sorted(expected)


def flagged(model) -> list[tuple]:
    """Every alert of the kind, as (ticket id, target, step): a target flagged twice shows twice."""
    return sorted(model.objects.values_list("ticket_id", "target", "step"))


def assert_each_target_flagged_once(expected):
    assert flagged(Breach) == expected
    assert flagged(TargetWarning) == expected
    # Each breach told once to each of its recipients (warnings are overtaken by the breaches).
    per_recipient = Message.objects.filter(kind=letters.BREACH).values("about_id", "recipient_id")
    assert not per_recipient.annotate(times=Count("pk")).filter(times__gt=1).exists()
    told = set(Message.objects.filter(kind=letters.BREACH).values_list("about_id", flat=True))
    assert told == set(Breach.objects.values_list("pk", flat=True))
    assert not Message.objects.filter(kind=letters.WARNING).exists()


class RowLock:
    """A session of the test holding one request's row lock: a scan's UPDATE of that row waits,
    inside the scan's transaction, after the scan has inserted its first breaches."""

    def __init__(self, ticket_id: int):
        self.session = psycopg.connect(worker_database_url("faults-lock"))
        self.session.execute(
            f"SELECT id FROM {Ticket._meta.db_table} WHERE id = %s FOR UPDATE", [ticket_id]
        )

    def release(self) -> None:
        self.session.rollback()
        self.session.close()


@pytest.fixture
def row_lock():
    locks = []

    def take(ticket_id: int) -> RowLock:
        lock = RowLock(ticket_id)
        locks.append(lock)
        return lock

    yield take
    for lock in locks:
        if not lock.session.closed:
            lock.release()


def blocked_on_a_lock(name: str, *, having_written: bool = False):
    """The worker's scan waits on a lock inside its transaction (`having_written`: after writes
    of its own, not committed)."""

    def check() -> bool:
        return any(
            wait == "Lock" and (xid is not None or not having_written)
            for _, _, wait, xid in worker_sessions([name])
        )

    return check


def result_of(result) -> dict:
    try:
        return result.get(timeout=60)
    finally:
        result.forget()


def scan_on(worker: Worker) -> dict:
    return result_of(tasks.scan_breaches.apply_async(queue=worker.queue))


def test_a_scan_killed_halfway_leaves_nothing_and_the_next_flags_each_target_once(
    workers, overdue, row_lock
):
    first = workers("first", queue="scan")
    lock = row_lock(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0])
    tasks.scan_breaches.apply_async(queue=first.queue)
    wait_until(blocked_on_a_lock(first.name, having_written=True), workers=[first])

    first.kill()
    lock.release()
    assert unacknowledged(first.queue) == 1  # acks_late: to be redelivered, a harmless retry
    # PostgreSQL ends the dead worker's session as soon as the lock lets it notice: the scan's
    # transaction was never committed, so it rolls back entirely.
    wait_until(lambda: not worker_sessions([first.name]))
    assert flagged(Breach) == flagged(TargetWarning) == []
    assert not Ticket.objects.filter(first_response_breached_at__isnull=False).exists()
    assert not Message.objects.exists()

    second = workers("second", queue="scan")
    assert scan_on(second) == {"breaches": len(overdue), "warnings": len(overdue)}
    assert scan_on(second) == {"breaches": 0, "warnings": 0}  # run again: nothing new
    second.stop()

    assert_each_target_flagged_once(overdue)


def test_a_scan_killed_after_its_commit_leaves_its_alerts_to_be_told_by_the_next(workers, overdue):
    first = workers("first", queue="scan")
    # The test holds the outbox: the scan's alerts commit, then its notification step waits.
    outbox = psycopg.connect(worker_database_url("faults-lock"))
    outbox.execute(f"LOCK TABLE {Message._meta.db_table} IN SHARE MODE")
    try:
        tasks.scan_breaches.apply_async(queue=first.queue)
        wait_until(lambda: flagged(Breach) == overdue, workers=[first])
        wait_until(blocked_on_a_lock(first.name), workers=[first])
        first.kill()
    finally:
        outbox.rollback()
        outbox.close()
    wait_until(lambda: not worker_sessions([first.name]))
    assert flagged(Breach) == flagged(TargetWarning) == overdue
    assert not Breach.objects.exclude(notified_at=None).exists()
    assert not Message.objects.exists()

    second = workers("second", queue="scan")
    assert scan_on(second) == {"breaches": 0, "warnings": 0}  # nothing new: only the telling
    second.stop()

    assert not Breach.objects.filter(notified_at=None).exists()
    assert_each_target_flagged_once(overdue)


def test_two_scans_at_once_on_two_workers_flag_each_target_once(workers, overdue, row_lock):
    one, other = workers("one", queue="scan-one"), workers("other", queue="scan-other")
    lock = row_lock(Ticket.objects.order_by("-pk").values_list("pk", flat=True)[0])
    results = [tasks.scan_breaches.apply_async(queue=worker.queue) for worker in (one, other)]
    # Both scans inside their transactions at once: one waits on the test's lock, the other on
    # the first one's uncommitted breaches (the unique constraint).
    for worker in (one, other):
        wait_until(blocked_on_a_lock(worker.name), workers=[one, other])
    lock.release()

    counts = [result_of(result) for result in results]
    assert sum(count["breaches"] for count in counts) == len(overdue)
    assert sum(count["warnings"] for count in counts) == len(overdue)
    assert_each_target_flagged_once(overdue)
