import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app, heartbeat


@pytest.fixture
def redis_worker():
    """A real Celery worker, in a thread of this process, consuming from the Redis broker."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "run the tests with REDIS_URL set"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def test_celery_is_configured_for_at_least_once_delivery():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.timezone == "UTC"


def test_beat_sends_the_heartbeat_every_minute():
    entry = app.conf.beat_schedule["heartbeat"]

    assert entry["task"] == heartbeat.name
    assert entry["schedule"].total_seconds() == 60


@pytest.mark.celery_worker
def test_a_real_worker_runs_the_heartbeat_sent_through_redis(redis_worker):
    result = heartbeat.delay()

    assert result.get(timeout=20)
    assert result.successful()
