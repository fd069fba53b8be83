"""E-mail through a real SMTP server, sent by a real Celery worker consuming from Redis, and what
becomes of it while Redis is down."""

import email
import logging
import socket
import time
from contextlib import contextmanager
from email import policy

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.db import connections

from config.celery import app as celery_app
from tests.factories import ServiceFactory
from tickets import services, tasks
from tickets.models import Notification, Ticket

# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


class Recorder:
    """An SMTP handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def addressed_to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port, with Django's SMTP backend pointed at it."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    send_email_to(settings, controller.port)
    yield recorder
    controller.stop()


def send_email_to(settings, port: int) -> None:
    """Point Django's SMTP backend at the local server on `port`."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def close_connections(**kwargs):
    # The worker thread's database connections would otherwise outlive the test database.
    connections.close_all()


@contextmanager
def redis_worker():
    """A real Celery worker, in a thread of this process, consuming from the Redis broker."""
    assert django_settings.CELERY_BROKER_URL.startswith("redis://"), "run with REDIS_URL set"
    # Messages left by an earlier run name rows of an earlier test database.
    celery_app.control.purge()
    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        task_postrun.disconnect(close_connections)


@contextmanager
def celery_publishing_to(url: str, *, max_retries: int | None = None):
    """Point the app's broker and result backend at `url` (with `max_retries`, publishing gives
    up after that many refused connections rather than after kombu's retries, about 6 s).

    Celery caches its broker connection pools and its result backend: fresh ones are made for
    the new address, and the originals are put back afterwards."""
    conf, local = celery_app.conf, celery_app._local
    saved = (
        conf.broker_url,
        conf.result_backend,
        conf.broker_transport_options,
        celery_app._pool,
        celery_app.amqp._producer_pool,
        celery_app._backend_cache,
        getattr(local, "backend", None),
    )
    conf.broker_url = conf.result_backend = url
    if max_retries is not None:
        conf.broker_transport_options = {
            **conf.broker_transport_options,
            "max_retries": max_retries,
        }
    celery_app._pool = celery_app.amqp._producer_pool = None
    celery_app._backend_cache = local.backend = None
    try:
        yield
    finally:
        pool = celery_app._pool
        (
            conf.broker_url,
            conf.result_backend,
            conf.broker_transport_options,
            celery_app._pool,
            celery_app.amqp._producer_pool,
            celery_app._backend_cache,
            local.backend,
        ) = saved
        if pool is not None:
            pool.force_close_all()


def redis_down():
    """The app's broker and result backend (one Redis in production) become unreachable."""
    return celery_publishing_to(UNREACHABLE_REDIS, max_retries=0)


def wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def all_sent() -> bool:
    return not Notification.objects.exclude(state=Notification.State.SENT).exists()


@pytest.fixture
def payroll(finance):
    return ServiceFactory(provider=finance, name="Payroll data extract")


@pytest.fixture
def file_payroll_request(staff, sales, payroll):
    def file():
        return services.ticket_file(
            requester=staff, service=payroll, customer=sales, title="October payroll"
        )

    return file


def test_each_recipient_gets_one_message_with_subject_and_message_id(
    smtp_server, file_payroll_request, agent, head
):
    ticket = file_payroll_request()

    for notification in Notification.objects.all():
        assert tasks.send_notification(notification.pk) == "sent"

    assert len(smtp_server.messages) == 2
    for person in (agent, head):
        [message] = smtp_server.addressed_to(person.email)
        notification = Notification.objects.get(recipient=person)
        assert message["Subject"] == f"[{ticket.reference}] October payroll: new request"
        assert message["Message-ID"] == notification.message_id


def test_the_message_has_a_text_and_an_html_part_with_the_absolute_link(
    smtp_server, file_payroll_request, agent
):
    ticket = file_payroll_request()

    tasks.send_notification(Notification.objects.get(recipient=agent).pk)

    [message] = smtp_server.messages
    link = f"{django_settings.SITE_URL}{ticket.get_absolute_url()}"
    assert message.get_content_type() == "multipart/alternative"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_emails_of_a_filed_request_once(
    smtp_server, file_payroll_request, agent, head
):
    with redis_worker():
        file_payroll_request()
        wait_until(all_sent)

    assert sorted(message["To"] for message in smtp_server.messages) == [agent.email, head.email]
    assert {message["Message-ID"] for message in smtp_server.messages} == {
        notification.message_id for notification in Notification.objects.all()
    }


def test_filing_while_redis_is_down_saves_the_request_at_once_and_the_email_waits(
    smtp_server, file_payroll_request, agent, head, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        ticket = file_payroll_request()

    assert time.monotonic() - started < 5
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}
    assert smtp_server.messages == []


def test_with_redis_down_a_change_tries_the_broker_once_not_once_per_email(
    file_payroll_request, agent, head, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING, logger="tickets.notifications"),
        redis_down(),
        django_capture_on_commit_callbacks(execute=True),
    ):
        file_payroll_request()

    assert Notification.objects.count() == 2
    assert len([r for r in caplog.records if "not queued" in r.getMessage()]) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_once_redis_is_back_the_periodic_requeue_sends_the_waiting_emails(
    smtp_server, file_payroll_request, agent, head
):
    with redis_down():
        file_payroll_request()
    assert set(Notification.objects.values_list("state", flat=True)) == {"pending"}

    with redis_worker():
        tasks.send_unsent_notifications.delay()
        wait_until(all_sent)

    assert sorted(message["To"] for message in smtp_server.messages) == [agent.email, head.email]
