"""Thin Celery wrappers: the hourly launcher, reminders, and sending invitations."""

from celery import shared_task

from surveys import mail, services


@shared_task(
    name="surveys.send_invitations", acks_late=True, reject_on_worker_lost=True, ignore_result=True
)
def send_invitations(invitation_ids: list[int]) -> dict:
    """Send the e-mails these invitations owe over one SMTP connection; safe to run twice."""
    return mail.send_invitations(invitation_ids)


@shared_task(name="surveys.launch_due_campaigns", ignore_result=True)
def launch_due_campaigns() -> int:
    """Every hour (beat, UTC): launch a wave of each campaign whose time has come."""
    return len(services.launch_due_campaigns())


@shared_task(name="surveys.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    """Every hour (beat, UTC): remind those who have not answered, on the campaign's days."""
    return len(services.send_due_reminders())


@shared_task(name="surveys.send_unsent_invitations", ignore_result=True)
def send_unsent_invitations() -> int:
    """Every five minutes (beat): queue again e-mails whose task was lost or whose worker died."""
    return mail.requeue_unsent()
