"""Thin Celery wrappers around outbox.sending."""

from celery import shared_task

from outbox import sending


# No result is stored: nobody reads it, and with a result backend each call would also subscribe
# the caller to the result's channel (and, with Redis down, retry that for ~20 s before failing).
@shared_task(
    name="outbox.send_messages", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def send_messages(message_ids: list[int]) -> dict:
    """Send the outbox rows `message_ids` over one connection; safe to run twice."""
    return dict(sending.send(message_ids))


@shared_task(name="outbox.send_unsent", ignore_result=True)
def send_unsent() -> int:
    """Every five minutes (beat): queue again what a lost task or a dead worker left unsent."""
    return sending.requeue_unsent()
