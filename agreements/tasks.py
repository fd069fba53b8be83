from celery import shared_task
from django.utils import timezone

from agreements.reminders import signature_reminders_send
from agreements.services import agreements_expire


@shared_task(name="agreements.expire_agreements")
def expire_agreements() -> int:
    """End agreements whose validity is over; safe to run twice or after a missed run."""
    return agreements_expire(now=timezone.now())


@shared_task(name="agreements.remind_signers")
def remind_signers() -> int:
    """Remind the heads whose signature a proposal still waits for; safe to run twice."""
    return signature_reminders_send(now=timezone.now())
