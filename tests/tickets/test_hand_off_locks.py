"""Cancelling a request while one of its hand-offs moves, or while a hand-off is being opened,
in two transactions at once. The hand-offs are locked before their parent, the order a
hand-off's own steps lock them in, so the two never wait on each other (PostgreSQL would abort
one as a deadlock); a hand-off opened meanwhile makes the cancellation a 409."""

import threading
import time

import pytest
from django.db import connection, transaction

from agreements.models import Priority
from tests.support.clock import at
from tests.support.concurrency import run_at_once
from tickets import services
from tickets.models import Status, Ticket
from tickets.services import StaleTicket
from tickets.workflow import Action

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def parent(agreement, payroll_extract, file_request, clock_at):
    clock_at(at(23, 9))
    return file_request(payroll_extract, priority=Priority.P2)


class Canceller:
    """The requester cancelling `parent` in a thread of its own, once told to start."""

    def __init__(self, parent, by):
        self.parent, self.by = parent, by
        self.start = threading.Event()
        self.pid = None

    def __call__(self):
        self.start.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pid = cursor.fetchone()[0]
        return services.ticket_transition(
            ticket_id=self.parent.pk, by=self.by, action=Action.CANCEL, expected_version=None
        )

    def wait_until_blocked(self, timeout: float = 10) -> None:
        """Return once the cancellation waits for a lock this thread's transaction holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [self.pid]
                    )
                    if cursor.fetchone()[0]:
                        return
            time.sleep(0.02)
        raise AssertionError("the cancellation never waited")


def test_a_step_on_a_hand_off_while_its_parent_is_cancelled_does_not_deadlock(
    parent, hand_off, staff, it_agent
):
    child = hand_off(parent)
    canceller = Canceller(parent, staff)

    def start_the_hand_off():
        with transaction.atomic():
            # A step on the hand-off locks it, then its parent (to follow its clock).
            Ticket.objects.select_for_update().get(pk=child.pk)
            canceller.start.set()
            canceller.wait_until_blocked()
            return services.ticket_transition(
                ticket_id=child.pk, by=it_agent, action=Action.START, expected_version=None
            )

    started, cancelled = run_at_once(start_the_hand_off, canceller)

    assert not isinstance(started, Exception), started
    assert not isinstance(cancelled, Exception), cancelled
    child.refresh_from_db()
    assert (cancelled.status, child.status) == (Status.CANCELLED, Status.CANCELLED)


def test_a_hand_off_opened_while_its_parent_is_cancelled_makes_the_cancellation_a_409(
    parent, hand_off, staff
):
    canceller = Canceller(parent, staff)

    def open_a_hand_off():
        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=parent.pk)  # as opening one locks it
            canceller.start.set()
            canceller.wait_until_blocked()
            return hand_off(parent)

    child, cancelled = run_at_once(open_a_hand_off, canceller)

    assert isinstance(cancelled, StaleTicket), cancelled
    parent.refresh_from_db()
    child.refresh_from_db()
    assert (parent.status, child.status) == (Status.NEW, Status.NEW)
