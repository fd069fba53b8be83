"""Thin Celery wrappers around feedback's periodic work."""

from celery import shared_task

from feedback.plan_reminders import action_reminders
from feedback.scan import feedback_scan


@shared_task(name="feedback.scan_responses")
def scan_responses() -> dict:
    """Every minute (beat, UTC): warn, breach and escalate the responses due now."""
    result = feedback_scan()
    return {action: len(ids) for action, ids in result.events.items()}


@shared_task(name="feedback.remind_action_owners")
def remind_action_owners() -> int:
    """Hourly (beat): remind the owners of actions due within three days, once each."""
    return len(action_reminders())
