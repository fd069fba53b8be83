"""Thin Celery wrappers: the breach scan, escalation, digests and the confirmation scan. Their
messages are sent by outbox.tasks."""

from celery import shared_task

from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.digests import send_alert_digests as gather_digests
from tickets.alerting.escalation import escalate_breaches as escalate
from tickets.confirmation import confirmation_scan


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


@shared_task(name="tickets.confirm_resolved")
def confirm_resolved() -> dict:
    """Every minute (beat, UTC): resolved requests past their confirmation period confirm
    themselves; requesters whose period ends within a working day are reminded."""
    result = confirmation_scan()
    return {"confirmed": len(result.confirmed), "reminded": len(result.reminded)}
