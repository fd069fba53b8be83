"""Sending the outbox in batches: each e-mail once, over one connection, as the one-by-one task."""

import socket

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone

from tests.factories import MembershipFactory, ServiceFactory, UserFactory
from tickets import services
from tickets.mail import RETRY_BASE, send_batch
from tickets.models import Notification


class CountingBackend(locmem.EmailBackend):
    """Django's test backend, remembering each connection made."""

    connections: list["CountingBackend"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingBackend.connections.append(self)


@pytest.fixture(autouse=True)
def counted_connections(settings):
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"
    CountingBackend.connections = []
    return CountingBackend.connections


@pytest.fixture
def second_agent(finance):
    user = UserFactory(username="agent2", first_name="Bo", last_name="Wu")
    MembershipFactory(user=user, department=finance, role="agent")
    return user


@pytest.fixture
def waiting(staff, sales, finance, agent, head, second_agent):
    """A filed request whose commit callbacks did not run: three e-mails wait in the outbox."""
    payroll = ServiceFactory(provider=finance, name="Payroll data extract")
    services.ticket_file(requester=staff, service=payroll, customer=sales, title="October payroll")
    notifications = list(Notification.objects.order_by("pk"))
    assert len(notifications) == 3
    return notifications


def ids(notifications):
    return [notification.pk for notification in notifications]


def states():
    return sorted(Notification.objects.values_list("state", flat=True))


def test_a_batch_sends_each_email_once_over_one_connection(waiting, counted_connections):
    counts = send_batch(ids(waiting))

    assert counts == {"sent": 3, "failed": 0, "skipped": 0}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        notification.recipient.email for notification in waiting
    )
    assert {message.message()["Message-ID"] for message in mail.outbox} == {
        notification.message_id for notification in waiting
    }
    assert len(counted_connections) == 1
    assert states() == ["sent"] * 3


def test_a_batch_run_twice_sends_once(waiting):
    send_batch(ids(waiting))
    second = send_batch(ids(waiting))

    assert second == {"sent": 0, "failed": 0, "skipped": 3}
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


def test_a_batch_skips_emails_already_sent_or_claimed_by_another_worker(waiting):
    sent, claimed, pending = waiting
    Notification.objects.filter(pk=sent.pk).update(state=Notification.State.SENT)
    Notification.objects.filter(pk=claimed.pk).update(
        state=Notification.State.SENDING, claimed_at=pending.created_at
    )

    counts = send_batch(ids(waiting))

    assert counts == {"sent": 1, "failed": 0, "skipped": 2}
    assert [message.to[0] for message in mail.outbox] == [pending.recipient.email]


@pytest.fixture
def smtp_refuses(settings):
    """An SMTP server that is not there: the port was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_a_failed_batch_leaves_each_email_pending_with_the_error(waiting, smtp_refuses):
    counts = send_batch(ids(waiting))

    assert counts == {"sent": 0, "failed": 3, "skipped": 0}
    for notification in Notification.objects.all():
        assert (notification.state, notification.attempts) == (Notification.State.PENDING, 1)
        assert notification.last_error.startswith("ConnectionRefusedError")


def test_emails_left_pending_by_a_failure_are_sent_by_the_next_batch_after_their_wait(
    waiting, smtp_refuses, settings, time_machine
):
    send_batch(ids(waiting))
    settings.EMAIL_BACKEND = f"{__name__}.CountingBackend"  # the server is back
    assert send_batch(ids(waiting)) == {"sent": 0, "failed": 0, "skipped": 3}

    time_machine.move_to(timezone.now() + RETRY_BASE)
    counts = send_batch(ids(waiting))

    assert counts == {"sent": 3, "failed": 0, "skipped": 0}
    assert states() == ["sent"] * 3
