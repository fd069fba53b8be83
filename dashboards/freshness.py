"""Which counts of a department's dashboard may still be served from Django's cache.

Each department has a generation number in the cache, part of the key of its cached dashboards:
bumping it (after a commit that changes the department's figures, such as a waiver) leaves its
cached dashboards unread in every process sharing the cache, so the next reader counts anew."""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache

# Long past the life of a cached dashboard (dashboards.views.DASHBOARD_SECONDS); an expired
# generation restarts from the clock.
GENERATION_SECONDS = 24 * 3600


def _key(department_id: int) -> str:
    return f"dashboard-generation:{department_id}"


def generation(department_id: int) -> int:
    """The department's current generation (started on first use)."""
    key = _key(department_id)
    cache.add(key, time.time_ns(), timeout=GENERATION_SECONDS)
    return cache.get(key, 0)


def forget_dashboards(department_ids: Iterable[int]) -> None:
    """Serve no dashboard of these departments counted before now."""
    for department_id in set(department_ids):
        key = _key(department_id)
        # A generation gone from the cache restarts from the clock, never at a number that an
        # older cached dashboard of the department may still carry.
        if not cache.add(key, time.time_ns(), timeout=GENERATION_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired or evicted between the two calls
                cache.add(key, time.time_ns(), timeout=GENERATION_SECONDS)
