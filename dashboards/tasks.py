"""Thin Celery wrappers: keeping the daily totals of the dashboards."""

from celery import shared_task
from django.utils import timezone

from dashboards.services import rollup_refresh


@shared_task(name="dashboards.refresh_rollup", ignore_result=True)
def refresh_rollup() -> int:
    """Every 5 minutes (beat): recount the days whose requests can still change."""
    return rollup_refresh(now=timezone.now())


@shared_task(name="dashboards.recount_rollup", ignore_result=True)
def recount_rollup() -> int:
    """Every night (beat): recount every day, for changes made outside the product's workflow
    (the admin, a change of time zone)."""
    return rollup_refresh(now=timezone.now(), everything=True)
