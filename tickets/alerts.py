"""Who is told about breaches and warnings, and which alerts no longer apply.

Events first, notifications after: the breach scan records the alerts (tickets.breach_scan) and
commits; `notify_new_alerts` then writes the outbox rows of every alert not yet notified, in a
transaction of its own, one statement per kind of alert however many there are. It is
level-triggered on the alerts' `notified_at`: an alert is marked in the same statement (or, on
SQLite, the same transaction) that writes its rows, so a run killed halfway leaves its alerts
unmarked for the next run, two runs at once serialise on the alerts' row locks and the second
finds them marked, and the unique constraints of tickets.Notification (ON CONFLICT DO NOTHING)
remain the last guard against telling anyone twice. The scan runs this step right after its own
commit, so the recipients are those of that moment.

Recipients of an alert: the approver for an approval step; otherwise the provider's assignee, or
its agents and head when nobody is assigned; and the requester. Someone who chose the hourly
digest (departments.Profile.alert_digest) gets a row in state `digest`, gathered later by
tickets.digests; everyone else a `pending` row, sent after the commit.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from departments.models import Membership, Profile
from tickets.models import (
    OPEN_STATUSES,
    Approval,
    Breach,
    Notification,
    Target,
    TargetWarning,
    Ticket,
)

logger = logging.getLogger(__name__)

ALERT_KINDS = [Notification.Kind.BREACH, Notification.Kind.WARNING, Notification.Kind.ESCALATION]
WITHDRAW_CHUNK = 500


def notify_new_alerts(*, now: datetime) -> tuple[list[int], int]:
    """Write the notifications of every breach and warning not yet notified, marking them
    notified at `now`, and send them after the commit. Return the ids to send now (those for
    digest readers wait for their digest) and the number of SQL statements run."""
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # As in the scan: with thousands of new alerts the INSERT's estimated cost passes
            # jit_above_cost, and compiling it takes longer than running it.
            cursor.execute("SET LOCAL jit = off")
        to_send = _insert(cursor, Breach, Notification.Kind.BREACH, "breach_id", now)
        to_send += _insert(cursor, TargetWarning, Notification.Kind.WARNING, "warning_id", now)
        send_after_commit(to_send)
    return to_send, 3 if postgresql else 4


def _insert(cursor, model, kind: str, column: str, now: datetime) -> list[int]:
    """Mark the alerts of `model` not yet notified and write their notifications: one statement
    on PostgreSQL, two elsewhere (SQLite, `make run`, where one writer at a time holds the
    database between the two)."""
    tables = {
        "alerts": model._meta.db_table,
        "breaches": Breach._meta.db_table,
        "tickets": Ticket._meta.db_table,
        "approvals": Approval._meta.db_table,
        "memberships": Membership._meta.db_table,
        "users": get_user_model()._meta.db_table,
        "profiles": Profile._meta.db_table,
        "notifications": Notification._meta.db_table,
    }
    mark = "UPDATE {alerts} SET notified_at = %s WHERE notified_at IS NULL"
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # The marked rows are handed to the INSERT in the same statement (read once, written
        # atomically with their notifications).
        prefix = "WITH new_alerts AS (" + mark + " RETURNING id, ticket_id, target, step, "
        prefix += "approval_id) "
        alerts, new = "FROM new_alerts a JOIN {tickets} t ON t.id = a.ticket_id", "TRUE"
    else:
        cursor.execute(mark.format(**tables), [now])
        prefix = ""
        alerts = "FROM {alerts} a JOIN {tickets} t ON t.id = a.ticket_id"
        new = "a.notified_at = %s"
    # A warning overtaken by its breach (a scan catching up after an outage finds both) is not
    # told: the breach is.
    overtaken = (
        ""
        if model is Breach
        else "AND NOT EXISTS (SELECT 1 FROM {breaches} b WHERE b.ticket_id = r.ticket_id "
        "AND b.target = r.target AND b.step = r.step)"
    )
    sql = (
        prefix + "INSERT INTO {notifications} (ticket_id, kind, recipient_id, " + column + ", "
        "state, cancel_reason, attempts, last_error, created_at) "
        "SELECT r.ticket_id, %s, u.id, r.alert_id, "
        "CASE WHEN COALESCE(p.alert_digest, FALSE) THEN %s ELSE %s END, '', 0, '', %s FROM ("
        # the approver of a missed approval step
        " SELECT a.id AS alert_id, a.ticket_id, a.target, a.step, ap.approver_id AS user_id "
        + alerts
        + " JOIN {approvals} ap ON ap.id = a.approval_id"
        " WHERE " + new + " AND a.target = %s"
        # the assignee, or the provider's agents and head when nobody is assigned
        " UNION SELECT a.id, a.ticket_id, a.target, a.step, t.assignee_id "
        + alerts
        + " WHERE "
        + new
        + " AND a.target <> %s AND t.assignee_id IS NOT NULL"
        " UNION SELECT a.id, a.ticket_id, a.target, a.step, m.user_id "
        + alerts
        + " JOIN {memberships} m ON m.department_id = t.provider_id AND m.role IN (%s, %s)"
        " WHERE " + new + " AND a.target <> %s AND t.assignee_id IS NULL"
        # and the requester
        " UNION SELECT a.id, a.ticket_id, a.target, a.step, t.requester_id "
        + alerts
        + " WHERE "
        + new
        + ") r "
        "JOIN {users} u ON u.id = r.user_id AND u.is_active AND u.email <> '' "
        "LEFT JOIN {profiles} p ON p.user_id = u.id "
        "WHERE TRUE " + overtaken + " ON CONFLICT DO NOTHING RETURNING id, state"
    ).format(**tables)
    # `now` marks the alerts: in the statement's first part on PostgreSQL, in each WHERE elsewhere.
    mark_params, new_params = ([now], []) if postgresql else ([], [now])
    params = [
        *mark_params,
        kind,
        Notification.State.DIGEST,
        Notification.State.PENDING,
        now,
        *new_params,
        Target.APPROVAL,
        *new_params,
        Target.APPROVAL,
        Membership.Role.AGENT,
        Membership.Role.HEAD,
        *new_params,
        Target.APPROVAL,
        *new_params,
    ]
    cursor.execute(sql, params)
    return sorted(pk for pk, state in cursor.fetchall() if state == Notification.State.PENDING)


def withdraw_obsolete(notification_ids: list[int]) -> list[int]:
    """Cancel the unsent alerts among `notification_ids` whose target no longer applies (request
    no longer open, target met, request moved to another agreement, warning overtaken by its
    breach), in one statement; return the ids cancelled. Other kinds are left alone."""
    tables = {
        "notifications": Notification._meta.db_table,
        "breaches": Breach._meta.db_table,
        "warnings": TargetWarning._meta.db_table,
        "tickets": Ticket._meta.db_table,
        "approvals": Approval._meta.db_table,
    }
    reasons = Notification.CancelReason
    open_statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    cancelled: list[int] = []
    ids = list(notification_ids)
    for chunk in (ids[i : i + WITHDRAW_CHUNK] for i in range(0, len(ids), WITHDRAW_CHUNK)):
        # Plain SQL that PostgreSQL and SQLite (`make run`) both run.
        sql = (
            "UPDATE {notifications} SET state = %s, cancel_reason = r.reason FROM ("
            " SELECT n.id, CASE"
            f"  WHEN t.status NOT IN ({open_statuses}) THEN %s"
            "   WHEN t.agreement_id IS DISTINCT FROM"
            "     CASE WHEN b.id IS NULL THEN w.agreement_id ELSE b.agreement_id END THEN %s"
            "   WHEN (COALESCE(b.target, w.target) = %s AND t.first_responded_at IS NOT NULL)"
            "     OR (COALESCE(b.target, w.target) = %s AND t.resolved_at IS NOT NULL)"
            "     OR (COALESCE(b.target, w.target) = %s AND ap.decision <> '') THEN %s"
            "   WHEN n.kind = %s AND EXISTS (SELECT 1 FROM {breaches} later"
            "     WHERE later.ticket_id = w.ticket_id AND later.target = w.target"
            "     AND later.step = w.step) THEN %s"
            "  END AS reason"
            " FROM {notifications} n"
            " LEFT JOIN {breaches} b ON b.id = n.breach_id"
            " LEFT JOIN {warnings} w ON w.id = n.warning_id"
            " JOIN {tickets} t ON t.id = COALESCE(b.ticket_id, w.ticket_id)"
            " LEFT JOIN {approvals} ap ON ap.id = COALESCE(b.approval_id, w.approval_id)"
            f" WHERE n.id IN ({', '.join(['%s'] * len(chunk))})"
            " AND n.kind IN (%s, %s, %s) AND n.state IN (%s, %s)"
            ") AS r WHERE {notifications}.id = r.id AND r.reason IS NOT NULL"
            " AND {notifications}.state IN (%s, %s) RETURNING {notifications}.id"
        ).format(**tables)
        unsent = [Notification.State.PENDING, Notification.State.DIGEST]
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                [
                    Notification.State.CANCELLED,
                    *OPEN_STATUSES,
                    reasons.REQUEST_CLOSED,
                    reasons.MOVED,
                    Target.FIRST_RESPONSE,
                    Target.RESOLUTION,
                    Target.APPROVAL,
                    reasons.TARGET_MET,
                    Notification.Kind.WARNING,
                    reasons.BREACHED,
                    *chunk,
                    *ALERT_KINDS,
                    *unsent,
                    *unsent,
                ],
            )
            cancelled += [row[0] for row in cursor.fetchall()]
    return cancelled


def send_after_commit(notification_ids: list[int]) -> None:
    """After the commit, hand the ids to sending tasks of ALERT_BATCH e-mails each (one broker
    call per batch, not per e-mail; the workers' processes send batches side by side); with the
    broker down they wait in the outbox for `send_unsent_notifications`."""
    if notification_ids:
        transaction.on_commit(lambda: _enqueue(notification_ids))


# As many e-mails as a worker sends in a few seconds over one SMTP connection.
ALERT_BATCH = 1000


def _enqueue(notification_ids: list[int]) -> None:
    from tickets.tasks import send_alert_notifications  # the tasks module imports the scan

    for start in range(0, len(notification_ids), ALERT_BATCH):
        batch = notification_ids[start : start + ALERT_BATCH]
        try:
            send_alert_notifications.apply_async((batch,), retry=False)
        except Exception as error:  # the alerts are committed; their e-mail only waits
            logger.warning("%s alert notifications not queued (%s)", len(batch), error)
            return  # the broker is down: the next batches would wait out the same timeout


def alert_context(notification: Notification) -> dict:
    """What the breach, warning, escalation and digest e-mails show besides the request: the
    alert, the escalation, or the alerts a digest gathers, and the instant of sending."""
    context: dict = {"sent_at": timezone.now()}
    if notification.kind == Notification.Kind.DIGEST:
        context["gathered"] = list(
            notification.gathered.select_related(
                "ticket__provider",
                "ticket__agreement__calendar",
                "breach",
                "warning",
            ).order_by("created_at", "pk")
        )
        return context
    context["alert"] = notification.breach or notification.warning
    if notification.escalation_id:
        context["escalation"] = notification.escalation
    return context
