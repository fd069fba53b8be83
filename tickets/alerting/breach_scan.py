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

A target met late between two scans is never flagged here (it is met): the request's service
records its breach as it records the target met (tickets.alerting.met_late).

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
    # The customer's duty: flagged like the others, told to the customer side (alerting.alerts).
    _RequestTarget(Target.REQUESTER_ANSWER, "requester_answered_at", "requester_answer_due_at"),
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


# Our own status constants, written into the SQL as literals, as the partial indexes' conditions
# are (tickets.models.scan_indexes), which the WHERE clauses below repeat exactly.
OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
ALERT_COLUMNS = "(ticket_id, target, step, approval_id, agreement_id, due_at, detected_at)"

# A request's target not yet flagged: {met} records it met, {mark} that it was flagged, {at} is
# compared with now by {comparison}.
UNFLAGGED_REQUEST = """t.{met} IS NULL AND t.{mark} IS NULL AND t.status IN ({open})
    AND t.{at} {comparison} %(now)s"""

# PostgreSQL: the UPDATE marks the rows and hands them to the INSERT, atomically, so there is
# no window between the two. A concurrent scan's UPDATE waits for these rows' locks, then finds
# them marked and skips them.
FLAG_REQUEST_TARGET = """
    WITH marked AS (
        UPDATE {tickets} AS t SET {mark} = %(now)s
        WHERE {unflagged}
        RETURNING t.id, t.agreement_id, t.{due} AS due_at)
    INSERT INTO {alerts} {alert_columns}
    SELECT id, %(target)s, 0, NULL, agreement_id, due_at, %(now)s FROM marked
    ON CONFLICT (ticket_id, target, step) DO NOTHING
    RETURNING id"""

# Elsewhere (SQLite, `make run`): record, then mark the rows that have their alert.
RECORD_REQUEST_TARGET = """
    INSERT INTO {alerts} {alert_columns}
    SELECT t.id, %(target)s, 0, NULL, t.agreement_id, t.{due}, %(now)s FROM {tickets} t
    WHERE {unflagged}
    ON CONFLICT (ticket_id, target, step) DO NOTHING
    RETURNING id"""
MARK_REQUEST_TARGET = """
    UPDATE {tickets} AS t SET {mark} = %(now)s
    WHERE {unflagged} AND EXISTS (
        SELECT 1 FROM {alerts} a
        WHERE a.ticket_id = t.id AND a.target = %(target)s AND a.step = 0)"""

# The current step of a request awaiting approval, undecided and not yet flagged.
UNFLAGGED_APPROVAL = """ap.decision = '' AND ap.current_since IS NOT NULL AND ap.{mark} IS NULL
    AND ap.{at} {comparison} %(now)s
    AND EXISTS (SELECT 1 FROM {tickets} t WHERE t.id = ap.ticket_id AND t.status = %(awaiting)s)"""

FLAG_APPROVALS = """
    WITH marked AS (
        UPDATE {approvals} AS ap SET {mark} = %(now)s
        WHERE {unflagged}
        RETURNING ap.id, ap.ticket_id, ap.position, ap.due_at)
    INSERT INTO {alerts} {alert_columns}
    SELECT m.ticket_id, %(target)s, m.position, m.id, t.agreement_id, m.due_at, %(now)s
    FROM marked m JOIN {tickets} t ON t.id = m.ticket_id
    ON CONFLICT (ticket_id, target, step) DO NOTHING
    RETURNING id"""
RECORD_APPROVALS = """
    INSERT INTO {alerts} {alert_columns}
    SELECT ap.ticket_id, %(target)s, ap.position, ap.id,
           (SELECT t.agreement_id FROM {tickets} t WHERE t.id = ap.ticket_id), ap.due_at, %(now)s
    FROM {approvals} ap
    WHERE {unflagged}
    ON CONFLICT (ticket_id, target, step) DO NOTHING
    RETURNING id"""
MARK_APPROVALS = """
    UPDATE {approvals} AS ap SET {mark} = %(now)s
    WHERE {unflagged} AND EXISTS (SELECT 1 FROM {alerts} a WHERE a.approval_id = ap.id)"""


def _flag_request_target(cursor, model, spec, at_column, marker, comparison, now) -> list[int]:
    names = {
        "tickets": Ticket._meta.db_table,
        "alerts": model._meta.db_table,
        "alert_columns": ALERT_COLUMNS,
        "met": spec.met,
        "mark": spec.column(marker),
        "due": spec.due,
        "at": spec.due if at_column == "due_at" else spec.column("warn_at"),
        "comparison": comparison,
        "open": OPEN,
    }
    names["unflagged"] = UNFLAGGED_REQUEST.format(**names)
    parameters = {"now": _as_stored(now), "target": spec.target}
    if connection.vendor == "postgresql":
        return _run(cursor, [FLAG_REQUEST_TARGET], names, parameters)
    return _run(cursor, [RECORD_REQUEST_TARGET, MARK_REQUEST_TARGET], names, parameters)


def _flag_approvals(cursor, model, at_column, marker, comparison, now) -> list[int]:
    names = {
        "approvals": Approval._meta.db_table,
        "tickets": Ticket._meta.db_table,
        "alerts": model._meta.db_table,
        "alert_columns": ALERT_COLUMNS,
        "mark": marker,
        "at": at_column,
        "comparison": comparison,
    }
    names["unflagged"] = UNFLAGGED_APPROVAL.format(**names)
    parameters = {
        "now": _as_stored(now),
        "target": Target.APPROVAL,
        "awaiting": Status.APPROVAL_PENDING,
    }
    if connection.vendor == "postgresql":
        return _run(cursor, [FLAG_APPROVALS], names, parameters)
    return _run(cursor, [RECORD_APPROVALS, MARK_APPROVALS], names, parameters)


def _as_stored(instant: datetime):
    """`instant` as the ORM writes it (on SQLite a naive UTC string, which a raw aware parameter
    would not compare with correctly in another time zone, nor ever equal)."""
    return connection.ops.adapt_datetimefield_value(instant)


def _run(cursor, statements: list[str], names: dict, parameters: dict) -> list[int]:
    """Run the statements, the first of which records the alerts; return their ids."""
    first, *others = statements
    cursor.execute(first.format(**names), parameters)
    created = [row[0] for row in cursor.fetchall()]
    for statement in others:
        cursor.execute(statement.format(**names), parameters)
    return created


def _summary(result: ScanResult) -> dict:
    summary = asdict(result)
    summary["breaches"], summary["warnings"] = len(result.breaches), len(result.warnings)
    summary["notifications"] = len(result.notifications)
    summary["seconds"] = round(result.seconds, 4)
    summary["notify_seconds"] = round(result.notify_seconds, 4)
    return summary
