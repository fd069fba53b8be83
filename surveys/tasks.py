"""Thin Celery wrappers: the hourly launcher and reminders. Their e-mails are sent by
outbox.tasks."""

from celery import shared_task

from surveys import services


@shared_task(name="surveys.launch_due_campaigns", ignore_result=True)
def launch_due_campaigns() -> int:
    """Every hour (beat, UTC): launch a wave of each campaign whose time has come."""
    return len(services.launch_due_campaigns())


@shared_task(name="surveys.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    """Every hour (beat, UTC): remind those who have not answered, on the campaign's days."""
    return len(services.send_due_reminders())
