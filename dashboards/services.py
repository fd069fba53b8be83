"""Writes of the dashboards: refreshing the scorecard's snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from dashboards.models import FactsSnapshot
from dashboards.periods import PeriodKind, period_of
from dashboards.scorecard import live_company_facts

SNAPSHOT_KINDS = (PeriodKind.WEEK, PeriodKind.LAST_30, PeriodKind.LAST_90, PeriodKind.QUARTER)


@transaction.atomic
def snapshots_refresh(*, now: datetime) -> int:
    """Recount the named periods ending today for the scorecard; drop snapshots of past days."""
    today = timezone.localdate(now)
    periods = {period_of(kind, today) for kind in SNAPSHOT_KINDS}
    for period in periods:
        FactsSnapshot.objects.update_or_create(
            first=period.first,
            last=period.last,
            defaults={"rows": live_company_facts(period, now), "computed_at": now},
        )
    FactsSnapshot.objects.filter(last__lt=today - timedelta(days=1)).delete()
    return len(periods)
