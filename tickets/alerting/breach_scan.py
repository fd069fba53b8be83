"""The breach scan: flag every unmet target whose due time has passed (a breach) or whose
warning threshold has been crossed (a warning), exactly once, in a constant number of SQL
statements however many requests are open.

Per target and kind, on PostgreSQL, one statement marks the rows and records their alerts:
`WITH marked AS (UPDATE ... SET <marker> ... RETURNING ...) INSERT INTO <alerts> ... SELECT ...
FROM marked ON CONFLICT DO NOTHING`. The partial indexes drop the marked rows, so an idle scan
reads nothing; the unique constraint makes a second scan, a concurrent scan or a retried one
harmless; and, one statement being atomic, no row is marked without its alert. A concurrent scan's
UPDATE waits for the rows this one locked, then finds them marked and skips them.

Elsewhere (SQLite, `make run`) the same work takes two statements: one INSERT ... SELECT ...
ON CONFLICT DO NOTHING records the alerts, and one UPDATE marks the rows that have their alert,
so that a row that started to qualify between the two statements is caught by the next scan,
never lost. Detection is level-triggered: each scan looks at what is due now, so a missed scan is
caught up by the next one.

Once the alerts are committed, the messages of every alert not yet notified are written in
a second transaction, set-based too (tickets.alerting.alerts), and handed to sending
tasks after that commit. Keeping them apart keeps the scan's transaction, which holds the row
locks of every request it marks, as short as flagging alone; an alert whose notifications were
not written (the process killed between the two) is notified by the next scan.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from tickets.alerting.alerts import notify_new_alerts
from tickets.models import (
    OPEN_STATUSES,
    Approval,
    Breach,
    ScanState,
    Status,
    Target,
    TargetWarning,
    Ticket,
)

logger = logging.getLogger(__name__)


@dataclass
class ScanResult:
    breaches: list[int] = field(default_factory=list)
    warnings: list[int] = field(default_factory=list)
    notifications: list[int] = field(default_factory=list)  # to send now (not digests)
    statements: int = 0
    seconds: float = 0.0  # flagging, and then
    notify_seconds: float = 0.0  # writing the notifications


@dataclass(frozen=True)
class _RequestTarget:
    target: str
    met: str  # column that records when the target was met
    due: str

    def column(self, suffix: str) -> str:
        return f"{self.target}_{suffix}"


REQUEST_TARGETS = [
    _RequestTarget(Target.FIRST_RESPONSE, "first_responded_at", "first_response_due_at"),
    _RequestTarget(Target.RESOLUTION, "resolved_at", "resolution_due_at"),
]
# (alert model, column compared with now, marker column suffix, comparison): a breach needs the
# due time passed (met exactly at the due time is met), a warning the threshold reached.
KINDS = [(Breach, "due_at", "breached_at", "<"), (TargetWarning, "warn_at", "warned_at", "<=")]


def breach_scan(*, now: datetime | None = None) -> ScanResult:
    """Record the breaches and warnings due at `now`, then write the notifications of the alerts
    not yet notified; safe to run twice or concurrently."""
    now = now or timezone.now()
    started = time.monotonic()
    result = ScanResult()
    per_target = 1 if connection.vendor == "postgresql" else 2
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The statements below are short, but a cold scan's row estimates push their cost
            # past jit_above_cost, and compiling them took longer (some 20 ms) than running them.
            cursor.execute("SET LOCAL jit = off")
            result.statements += 1
        for model, at_column, marker, comparison in KINDS:
            found = result.breaches if model is Breach else result.warnings
            for spec in REQUEST_TARGETS:
                found += _flag_request_target(
                    cursor, model, spec, at_column, marker, comparison, now
                )
                result.statements += per_target
            found += _flag_approvals(cursor, model, at_column, marker, comparison, now)
            result.statements += per_target
    result.seconds = time.monotonic() - started
    started = time.monotonic()
    result.notifications, statements = notify_new_alerts(now=now)
    result.notify_seconds = time.monotonic() - started
    result.statements += statements + 1
    # One upsert: two scans finishing at once (or the very first one) need no transaction.
    ScanState.objects.bulk_create(
        [ScanState(pk=1, last_completed_at=now, last_result=_summary(result))],
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=["last_completed_at", "last_result"],
    )
    logger.info("breach scan %s", _summary(result))
    return result


def _flag_request_target(cursor, model, spec, at_column, marker, comparison, now) -> list[int]:
    tickets, alerts = Ticket._meta.db_table, model._meta.db_table
    at = spec.due if at_column == "due_at" else spec.column("warn_at")
    mark = spec.column(marker)
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    # These conditions repeat the partial index's exactly (tickets.models.scan_indexes).
    unflagged = (
        f"t.{spec.met} IS NULL AND t.{mark} IS NULL AND t.status IN ({open_statuses}) "
        f"AND t.{at} {comparison} %s"
    )
    params = [*OPEN_STATUSES, now]
    if connection.vendor == "postgresql":
        # One statement: the UPDATE marks the rows and hands them to the INSERT, atomically, so
        # there is no window between the two. A concurrent scan's UPDATE waits for these rows'
        # locks, then finds them marked and skips them.
        cursor.execute(
            f"WITH marked AS (UPDATE {tickets} AS t SET {mark} = %s WHERE {unflagged} "
            f"RETURNING t.id, t.agreement_id, t.{spec.due} AS due_at) "
            f"INSERT INTO {alerts} "
            "(ticket_id, target, step, approval_id, agreement_id, due_at, detected_at) "
            "SELECT id, %s, 0, NULL, agreement_id, due_at, %s FROM marked "
            "ON CONFLICT (ticket_id, target, step) DO NOTHING RETURNING id",
            [now, *params, spec.target, now],
        )
        return [row[0] for row in cursor.fetchall()]
    # Elsewhere (SQLite, `make run`): record, then mark the rows that have their alert.
    cursor.execute(
        f"INSERT INTO {alerts} "
        "(ticket_id, target, step, approval_id, agreement_id, due_at, detected_at) "
        f"SELECT t.id, %s, 0, NULL, t.agreement_id, t.{spec.due}, %s FROM {tickets} t "
        f"WHERE {unflagged} "
        "ON CONFLICT (ticket_id, target, step) DO NOTHING RETURNING id",
        [spec.target, now, *params],
    )
    created = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"UPDATE {tickets} AS t SET {mark} = %s WHERE {unflagged} AND EXISTS "
        f"(SELECT 1 FROM {alerts} a WHERE a.ticket_id = t.id AND a.target = %s AND a.step = 0)",
        [now, *params, spec.target],
    )
    return created


def _flag_approvals(cursor, model, at_column, marker, comparison, now) -> list[int]:
    approvals, tickets, alerts = (
        Approval._meta.db_table,
        Ticket._meta.db_table,
        model._meta.db_table,
    )
    unflagged = (
        f"ap.decision = '' AND ap.current_since IS NOT NULL AND ap.{marker} IS NULL "
        f"AND ap.{at_column} {comparison} %s AND EXISTS "
        f"(SELECT 1 FROM {tickets} t WHERE t.id = ap.ticket_id AND t.status = %s)"
    )
    params = [now, Status.APPROVAL_PENDING]
    if connection.vendor == "postgresql":  # one statement, as _flag_request_target
        cursor.execute(
            f"WITH marked AS (UPDATE {approvals} AS ap SET {marker} = %s WHERE {unflagged} "
            "RETURNING ap.id, ap.ticket_id, ap.position, ap.due_at) "
            f"INSERT INTO {alerts} "
            "(ticket_id, target, step, approval_id, agreement_id, due_at, detected_at) "
            "SELECT m.ticket_id, %s, m.position, m.id, t.agreement_id, m.due_at, %s "
            f"FROM marked m JOIN {tickets} t ON t.id = m.ticket_id "
            "ON CONFLICT (ticket_id, target, step) DO NOTHING RETURNING id",
            [now, *params, Target.APPROVAL, now],
        )
        return [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"INSERT INTO {alerts} "
        "(ticket_id, target, step, approval_id, agreement_id, due_at, detected_at) "
        f"SELECT ap.ticket_id, %s, ap.position, ap.id, (SELECT t.agreement_id FROM {tickets} t "
        f"WHERE t.id = ap.ticket_id), ap.due_at, %s FROM {approvals} ap "
        f"WHERE {unflagged} ON CONFLICT (ticket_id, target, step) DO NOTHING RETURNING id",
        [Target.APPROVAL, now, *params],
    )
    created = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"UPDATE {approvals} AS ap SET {marker} = %s WHERE {unflagged} AND EXISTS "
        f"(SELECT 1 FROM {alerts} a WHERE a.approval_id = ap.id)",
        [now, *params],
    )
    return created


def _summary(result: ScanResult) -> dict:
    summary = asdict(result)
    summary["breaches"], summary["warnings"] = len(result.breaches), len(result.warnings)
    summary["notifications"] = len(result.notifications)
    summary["seconds"] = round(result.seconds, 4)
    summary["notify_seconds"] = round(result.notify_seconds, 4)
    return summary
