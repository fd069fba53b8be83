"""Thin Celery wrappers: sending the notification outbox."""

from celery import shared_task

from tickets import mail


@shared_task(name="tickets.send_notification", acks_late=True, reject_on_worker_lost=True)
def send_notification(notification_id: int) -> str:
    """Send one queued e-mail; safe to run twice (a sent row is never sent again)."""
    return mail.send_notification(notification_id)


@shared_task(name="tickets.send_unsent_notifications")
def send_unsent_notifications() -> int:
    """Re-queue e-mail whose task was lost (broker down at commit, worker killed)."""
    return mail.requeue_unsent(send_notification.delay)
