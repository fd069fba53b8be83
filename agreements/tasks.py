from celery import shared_task
from django.utils import timezone

from agreements.services import agreements_expire


@shared_task(name="agreements.expire_agreements")
def expire_agreements() -> int:
    """End agreements whose validity is over; safe to run twice or after a missed run."""
    return agreements_expire(now=timezone.now())
