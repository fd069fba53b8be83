"""Thin Celery wrappers around disputes.services; their messages are sent by outbox.tasks."""

from celery import shared_task
from django.utils import timezone

from disputes.services import disputes_send_up_lapsed


@shared_task(name="disputes.send_up_lapsed")
def send_up_lapsed() -> int:
    """Every five minutes (beat, UTC): disputes whose customer's window ended undecided go to
    the head above both departments."""
    return disputes_send_up_lapsed(now=timezone.now())
