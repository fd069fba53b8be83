"""Thin Celery wrappers: sending the notification outbox, the breach scan, escalation and
digests."""

from celery import shared_task

from tickets import mail
from tickets.alerts import withdraw_obsolete
from tickets.breach_scan import breach_scan
from tickets.digests import send_alert_digests as gather_digests
from tickets.escalation import escalate_breaches as escalate


# No result is stored: nobody reads it, and with a result backend each call would also subscribe
# the caller to the result's channel (and, with Redis down, retry that for ~20 s before failing).
@shared_task(
    name="tickets.send_notification",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_notification(notification_id: int) -> str:
    """Send one queued e-mail; safe to run twice (a sent row is never sent again). An alert
    whose target no longer applies is cancelled instead."""
    if withdraw_obsolete([notification_id]):
        return "cancelled"
    return mail.send_notification(notification_id)


@shared_task(
    name="tickets.send_alert_notifications",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_alert_notifications(notification_ids: list[int]) -> int:
    """Alerts of one scan: cancel those that no longer apply, send the others over one SMTP
    connection (each claimed before it is sent, so a redelivered task sends nothing twice)."""
    cancelled = set(withdraw_obsolete(notification_ids))
    return mail.send_batch([pk for pk in notification_ids if pk not in cancelled])["sent"]


@shared_task(
    name="tickets.send_notification_batch",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def send_notification_batch(notification_ids: list[int]) -> dict:
    """Send many queued e-mails over one SMTP connection; safe to run twice. Alerts whose target
    no longer applies are cancelled instead."""
    cancelled = set(withdraw_obsolete(notification_ids))
    counts = mail.send_batch([pk for pk in notification_ids if pk not in cancelled])
    return {**counts, "cancelled": len(cancelled)}


@shared_task(name="tickets.send_unsent_notifications", ignore_result=True)
def send_unsent_notifications() -> int:
    """Re-queue e-mail whose task was lost (broker down at commit, worker killed)."""
    return mail.requeue_unsent(send_notification.delay)


@shared_task(name="tickets.scan_breaches")
def scan_breaches() -> dict:
    """Every minute (beat, UTC): record the breaches and warnings due now."""
    result = breach_scan()
    return {"breaches": len(result.breaches), "warnings": len(result.warnings)}


@shared_task(name="tickets.escalate_breaches")
def escalate_breaches() -> dict:
    """Every minute (beat, UTC): tell the next level about breaches still unmet."""
    result = escalate()
    return {"scheduled": result.scheduled, "escalations": len(result.escalations)}


@shared_task(name="tickets.send_alert_digests")
def send_alert_digests() -> int:
    """Every hour (beat, UTC): one e-mail per person gathering their alerts of the last hour."""
    return gather_digests()
