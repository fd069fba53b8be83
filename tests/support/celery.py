"""Celery against Redis for real: a worker in a thread of this process (`redis_worker`), Redis
unreachable (`redis_down`), and the fault tests' workers, each a `celery worker` subprocess
consuming its own Redis queue (`workers`, `Worker`), with what they need to be watched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.db import connection, connections

from config.celery import app as celery_app

BASE_DIR = Path(django_settings.BASE_DIR)
# Nothing listens on port 1: connections are refused at once.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def wait_until(condition, timeout: float = 90, *, message: str = "timed out", workers=()):
    """Poll `condition` until it holds; fail after `timeout` seconds, or as soon as one of
    `workers` has died, with their logs. The timeout is generous on purpose: a test returns as
    soon as the condition holds, and a machine busy with other work starts workers slowly."""
    deadline = time.monotonic() + timeout
    while not condition():
        for worker in workers:
            assert worker.process.poll() is None, f"{worker.name} died:\n{worker.log()}"
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {worker.name}\n{worker.log()}" for worker in workers)
            raise AssertionError(f"{message}\n{logs}")
        time.sleep(0.05)


# A worker in a thread; Redis down ---------------------------------------------------------------


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


# The fault tests' worker subprocesses -----------------------------------------------------------


def redis_reachable() -> bool:
    url = django_settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


# Real workers, killed at will: Redis and PostgreSQL only (the workers share the test database),
# transactional tests. A fault test module sets `pytestmark = FAULT_TESTS`.
FAULT_TESTS = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not redis_reachable(), reason="needs Redis at REDIS_URL"),
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="worker subprocesses share the test database: PostgreSQL only",
    ),
]


def worker_database_url(application_name: str) -> str:
    """The URL of pytest-django's test database, naming the worker's sessions in
    pg_stat_activity."""
    db = django_settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        f"?application_name={application_name}"
    )


class Worker:
    """`celery worker --pool=solo` in a subprocess, consuming one queue."""

    def __init__(self, name: str, queue: str, default_queue: str, log_dir: Path, email_url: str):
        self.name, self.queue = name, queue
        self.log_path = log_dir / f"{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": worker_database_url(name),
            "REDIS_URL": os.environ.get("REDIS_URL", django_settings.REDIS_URL),
            "SECRET_KEY": django_settings.SECRET_KEY,
            "EMAIL_URL": email_url,
            "ACCORD_FAULTS_DEFAULT_QUEUE": default_queue,
            "PYTHONPATH": str(BASE_DIR),
        }
        for variable in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
            env.pop(variable, None)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "tests.support.faults_worker"),
                    *("worker", "--pool=solo", "--concurrency=1", "-Q", queue),
                    *("-n", f"{name}@%h", "--loglevel=INFO"),
                    *("--without-heartbeat", "--without-gossip", "--without-mingle"),
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acknowledgement, no database rollback sent."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM): the task in progress finishes."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def task_succeeded(self, task_id: str) -> str | None:
        """The worker's log line saying that task succeeded (with its return value), if any."""
        for line in self.log_path.read_text(errors="replace").splitlines():
            if f"[{task_id}] succeeded" in line:
                return line
        return None


def worker_sessions(names: list[str]) -> list[tuple]:
    """The PostgreSQL sessions of the named workers: (application_name, state, wait_event_type,
    backend_xid), read afresh (pg_stat_activity is otherwise a snapshot per transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT application_name, state, wait_event_type, backend_xid::text "
            "FROM pg_stat_activity WHERE application_name = ANY(%s) AND pid <> pg_backend_pid()",
            [names],
        )
        return cursor.fetchall()


@pytest.fixture
def workers(tmp_path):
    """Start workers on queues of this test; everything is killed and cleaned up afterwards."""
    started: list[Worker] = []
    prefix = f"faults-{uuid.uuid4().hex[:8]}"

    def start(name: str, *, queue: str, default_queue: str | None = None, email_url: str = ""):
        queue, default_queue = f"{prefix}-{queue}", f"{prefix}-{default_queue or 'sink'}"
        worker = Worker(
            f"{prefix}-{name}",
            queue,
            default_queue,
            tmp_path,
            email_url or "smtp://127.0.0.1:1",  # nothing listens: a scan's alerts wait
        )
        started.append(worker)
        return worker

    yield start

    for worker in started:
        worker.kill()
    # The sessions of killed workers end once PostgreSQL notices (pytest-django then truncates).
    names = [worker.name for worker in started]
    try:
        wait_until(lambda: not worker_sessions(names), timeout=60)
    except AssertionError:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = ANY(%s)",
                [names],
            )
    drop_queues(prefix)


def unacknowledged(queue: str) -> int:
    """How many messages of `queue` Redis holds as delivered but not acknowledged (handed back to
    the queue after the visibility timeout)."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    routing_keys = []
    for payload in client.hvals("unacked"):
        try:
            routing_keys.append(json.loads(payload)[2])
        except (ValueError, IndexError):
            continue
    return routing_keys.count(queue)


def age_unacknowledged(queue: str, by: timedelta) -> None:
    """Make Redis's unacknowledged messages of `queue` look delivered `by` earlier."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    for tag, payload in client.hgetall("unacked").items():
        if json.loads(payload)[2] == queue:
            delivered = client.zscore("unacked_index", tag)
            client.zadd("unacked_index", {tag: delivered - by.total_seconds()})


def drop_queues(prefix: str) -> None:
    """Delete this test's queues and their bindings, and the unacknowledged messages the killed
    workers left (Redis would otherwise hand them back after the visibility timeout)."""
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    for key in client.scan_iter(match=f"*{prefix}-*"):
        client.delete(key)
    for tag, payload in client.hgetall("unacked").items():
        try:
            _message, _exchange, routing_key = json.loads(payload)
        except ValueError:
            continue
        if routing_key.startswith(f"{prefix}-"):
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
