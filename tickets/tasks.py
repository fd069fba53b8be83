"""Thin Celery wrappers: sending the notification outbox."""

from celery import shared_task

from tickets import mail
from tickets.breach_scan import breach_scan


# No result is stored: nobody reads it, and with a result backend each call would also subscribe
# the caller to the result's channel (and, with Redis down, retry that for ~20 s before failing).
@shared_task(
    name="tickets.send_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_notification(notification_id: int) -> str:
    """Send one queued e-mail; safe to run twice (a sent row is never sent again)."""
    return mail.send_notification(notification_id)


@shared_task(name="tickets.send_unsent_notifications", ignore_result=True)
def send_unsent_notifications() -> int:
    """Re-queue e-mail whose task was lost (broker down at commit, worker killed)."""
    return mail.requeue_unsent(send_notification.delay)


@shared_task(name="tickets.scan_breaches")
def scan_breaches() -> dict:
    """Every minute (beat, UTC): record the breaches and warnings due now."""
    result = breach_scan()
    return {"breaches": len(result.breaches), "warnings": len(result.warnings)}
