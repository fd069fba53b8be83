"""Thin Celery wrappers: refreshing the scorecard's snapshots."""

from celery import shared_task
from django.utils import timezone

from dashboards.services import snapshots_refresh


@shared_task(name="dashboards.refresh_snapshots", ignore_result=True)
def refresh_snapshots() -> int:
    """Every 5 minutes (beat): recount the named periods of the company scorecard."""
    return snapshots_refresh(now=timezone.now())
