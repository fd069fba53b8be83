"""Thin Celery wrappers of the directory sync."""

import logging

from celery import shared_task

from directory import sync
from directory.configured import configured_snapshot, configured_source

logger = logging.getLogger(__name__)


@shared_task(name="directory.sync_directory")
def sync_directory() -> dict:
    """Every night (beat, UTC): the org chart from LDAP or DIRECTORY_ORG_FILE, when either is
    set. One transaction, so a run killed halfway changes nothing; a second run writes nothing."""
    source = configured_source()
    if not source:
        return {"source": "", "changes": 0}
    try:
        plan = sync.apply(configured_snapshot(), dry_run=False)
    except sync.SyncError as error:
        # A broken file or directory is reported, not retried: the next night reads it again.
        logger.error("directory sync from %s refused: %s", source, error)
        return {"source": source, "changes": 0, "error": str(error)}
    for line in plan.notice_lines():
        logger.warning("directory sync from %s: %s", source, line)
    return {"source": source, "changes": len(plan.changes)}
