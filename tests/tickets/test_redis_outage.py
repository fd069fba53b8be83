"""Redis really stopped while requests are filed, then started again.

The test runs its own redis-server (no persistence, like a Redis that loses its queues when it
stops), a real Celery worker subprocess consuming from it and a real SMTP server. It proves that:

- with Redis down, filing through the web answers with the usual redirect and page, held no
  longer than the broker's connection timeout; the request is saved, its e-mails wait in the
  outbox;
- once Redis is back on the same port, the worker reconnects by itself and the web publishes
  again without a restart;
- beat's next jobs catch up: the scan flags every target that fell due during the outage once,
  and every waiting e-mail (and every breach e-mail) reaches the SMTP server once.

The worker runs on the real clock, so targets "fall due" during the outage by moving their due
times before the real now.
"""

from __future__ import annotations

import socket
import subprocess
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from outbox import tasks as outbox_tasks
from outbox.models import Message
from tests.factories import agreement_in_force
from tests.support.celery import Worker, celery_publishing_to, wait_until, worker_sessions
from tests.support.smtp import free_port
from tests.support.world import TARGETS, filing
from tickets import letters, tasks
from tickets.models import Breach, Target, Ticket

REDIS_SERVER = Path("/usr/bin/redis-server")
# With the broker down, a publish gives up after kombu's connection retries, which last
# CELERY_BROKER_CONNECTION_TIMEOUT (2 s); this bound catches a request that waits for them once
# per recipient, or for a longer retry schedule.
SLOW_REQUEST_SECONDS = 10

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not REDIS_SERVER.exists(), reason="needs /usr/bin/redis-server"),
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="the worker subprocess shares the test database: PostgreSQL only",
    ),
]


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """A redis-server subprocess on one port, stopped and started again like the real one."""

    def __init__(self, directory: Path):
        self.port, self.directory = free_port(), directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *(REDIS_SERVER, "--save", "", "--appendonly", "no"),
                    *("--port", str(self.port), "--bind", "127.0.0.1"),
                    *("--dir", str(self.directory)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        wait_until(lambda: self._answers(client), message="redis-server never started")

    def _answers(self, client: redis.Redis) -> bool:
        assert self.process.poll() is None, (self.directory / "redis.log").read_text()
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        """SIGTERM: without persistence, Redis exits at once and its queues are gone."""
        self.process.terminate()
        self.process.wait(timeout=10)
        assert not port_is_open(self.port)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis_broker(tmp_path):
    """The test's own redis-server, the app's broker and result backend for the test."""
    server = RedisServer(tmp_path)
    try:
        server.start()
        with celery_publishing_to(server.url):
            yield server
    finally:
        server.kill()


@pytest.fixture
def worker(redis_broker, smtp_server, settings, tmp_path, monkeypatch):
    """A real `celery worker` subprocess on the test's Redis, sending to the test's SMTP server.
    With a Redis of its own, it consumes and publishes to the default queue."""
    monkeypatch.setenv("REDIS_URL", redis_broker.url)
    default_queue = celery_app.conf.task_default_queue
    started = Worker(
        f"outage-{uuid.uuid4().hex[:8]}",
        default_queue,
        default_queue,
        tmp_path,
        f"smtp://127.0.0.1:{settings.EMAIL_PORT}",
    )
    yield started
    started.kill()
    # The killed worker's sessions end once PostgreSQL notices (pytest-django then truncates).
    try:
        wait_until(lambda: not worker_sessions([started.name]))
    except AssertionError:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [started.name],
            )


@pytest.fixture
def agreement_on_the_real_clock(finance, sales, head, agent, payroll_extract, calendar):
    """Finance's agreement with Sales on payroll extracts, in force now: the worker's clock."""
    return agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[payroll_extract],
        targets=TARGETS,
        calendar=calendar,
    )


def file_through_the_web(client, service, sales, title: str) -> Ticket:
    """Post the request form; assert the usual redirect and request page, fast."""
    started = time.monotonic()
    response = client.post(
        reverse("tickets:new", args=[service.pk]), filing(sales, title=title), follow=True
    )
    seconds = time.monotonic() - started

    ticket = Ticket.objects.get(title=title)
    assert response.redirect_chain == [(ticket.get_absolute_url(), 302)]
    assert response.status_code == 200
    assert seconds < SLOW_REQUEST_SECONDS, f"filing took {seconds:.1f} s"
    return ticket


def request_messages():
    """The messages about requests (putting the agreement in force writes its own)."""
    return Message.objects.filter(kind__startswith="tickets.")


def states() -> Counter:
    return Counter(request_messages().values_list("state", flat=True))


def outcome(result, worker: Worker):
    wait_until(result.ready, timeout=60, message="the task never ran", workers=[worker])
    return result.get()


def test_requests_filed_while_redis_is_stopped_are_flagged_and_emailed_once_it_is_back(
    client,
    staff,
    sales,
    payroll_extract,
    agreement_on_the_real_clock,
    redis_broker,
    worker,
    smtp_server,
):
    client.force_login(staff)

    before = file_through_the_web(client, payroll_extract, sales, "Payroll before the outage")
    wait_until(lambda: states() == {"sent": 2}, workers=[worker])
    assert len(smtp_server.messages) == 2

    redis_broker.stop()
    during = [
        file_through_the_web(client, payroll_extract, sales, f"Payroll during the outage #{n}")
        for n in range(3)
    ]
    waiting = request_messages().filter(
        kind=letters.FILED, about_id__in=[event.pk for t in during for event in t.events.all()]
    )
    assert waiting.count() == 2 * len(during)
    assert set(waiting.values_list("state", flat=True)) == {"pending"}

    # The outage lasts past the first-response targets of every request.
    now = timezone.now()
    Ticket.objects.update(
        first_response_warn_at=now - timedelta(minutes=2),
        first_response_due_at=now - timedelta(minutes=1),
    )

    # An empty Redis again (nothing persisted): the worker reconnects by itself, this process
    # publishes on its connections from before the outage. Beat's next ticks:
    redis_broker.start()
    scan = tasks.scan_breaches.delay()
    outbox_tasks.send_unsent.delay()
    assert outcome(scan, worker) == {"breaches": 4, "warnings": 4}
    wait_until(lambda: set(states()) == {"sent"}, workers=[worker])
    # and the ticks after them find nothing left to do.
    outbox_tasks.send_unsent.delay()
    assert outcome(tasks.scan_breaches.delay(), worker) == {"breaches": 0, "warnings": 0}

    assert "Connection to broker lost" in worker.log_path.read_text()
    assert sorted(Breach.objects.values_list("ticket_id", "target", "step")) == sorted(
        (ticket.pk, Target.FIRST_RESPONSE, 0) for ticket in [before, *during]
    )
    breach_emails = Message.objects.filter(kind=letters.BREACH)
    assert set(breach_emails.values_list("about_id", flat=True)) == set(
        Breach.objects.values_list("pk", flat=True)
    )
    assert set(states()) == {"sent"}
    received = Counter(message["Message-ID"] for message in smtp_server.messages)
    # Every message once: the requests' and those of the agreement put in force before.
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    assert received == Counter(row.message_id for row in Message.objects.all())
