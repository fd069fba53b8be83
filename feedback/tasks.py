"""Thin Celery wrappers around feedback's periodic work."""

from celery import shared_task

from feedback.scan import feedback_scan


@shared_task(name="feedback.scan_responses")
def scan_responses() -> dict:
    """Every minute (beat, UTC): warn, breach and escalate the responses due now."""
    result = feedback_scan()
    return {action: len(ids) for action, ids in result.events.items()}
