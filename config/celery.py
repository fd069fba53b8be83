"""The Celery application: configured from Django settings, tasks found in each app's tasks.py."""

import logging
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("accord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@app.task(name="config.celery.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat sends this every minute; its log line shows that beat and a worker are alive."""
    from django.utils import timezone

    now = timezone.now().isoformat()
    logger.info("heartbeat received at %s", now)
    return now
