"""Who is told about breaches and warnings.

Events first, messages after: the breach scan records the alerts (breach_scan) and commits;
`notify_new_alerts` then, in a transaction of its own, marks every alert not yet notified and
writes its messages, one INSERT … SELECT per kind of alert however many there are. It is
level-triggered on the alerts' `notified_at`: a run killed halfway rolls back and leaves its
alerts for the next run; of two runs at once, the second waits on the first's row locks and then
finds the alerts marked; the outbox's unique constraint (ON CONFLICT DO NOTHING) is the last
guard against telling anyone twice. The scan runs this step right after its own commit, so the
recipients are those of that moment.

Recipients of an alert: the approver for an approval step; for the requester's answer duty (the
customer's target), the customer department's head of a breach; otherwise the provider's
assignee, or its agents and head when nobody is assigned; and the requester, always. Each gets
the state their preference for the kind asks (departments.Profile.deliveries): `digest` for the
hourly digest, gathered later by digests; `in_app` for Accord only, never e-mailed; `pending`
otherwise, sent after the commit."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from departments.models import Delivery, Membership, Profile
from outbox.models import Message
from outbox.services import fan_out, send_after_commit
from tickets import letters
from tickets.models import Approval, Breach, Target, TargetWarning, Ticket

# Each alert marked at `now`, with the person to tell, as (alert_id, ticket_id, target, step,
# user_id); {alerts} is the table of breaches or of warnings.
RECIPIENTS = """
    SELECT a.id AS alert_id, a.ticket_id, a.target, a.step, ap.approver_id AS user_id
    FROM {alerts} a JOIN {approvals} ap ON ap.id = a.approval_id
    WHERE a.notified_at = %(now)s AND a.target = %(approval)s
  UNION
    SELECT a.id, a.ticket_id, a.target, a.step, t.assignee_id
    FROM {alerts} a JOIN {tickets} t ON t.id = a.ticket_id
    WHERE a.notified_at = %(now)s AND a.target NOT IN (%(approval)s, %(answer)s)
        AND t.assignee_id IS NOT NULL
  UNION
    SELECT a.id, a.ticket_id, a.target, a.step, m.user_id
    FROM {alerts} a JOIN {tickets} t ON t.id = a.ticket_id
    JOIN {memberships} m ON m.department_id = t.provider_id AND m.role IN (%(agent)s, %(head)s)
    WHERE a.notified_at = %(now)s AND a.target NOT IN (%(approval)s, %(answer)s)
        AND t.assignee_id IS NULL
  UNION
    SELECT a.id, a.ticket_id, a.target, a.step, m.user_id
    FROM {alerts} a JOIN {tickets} t ON t.id = a.ticket_id
    JOIN {memberships} m ON m.department_id = t.customer_id AND m.role = %(head)s
    WHERE a.notified_at = %(now)s AND a.target = %(answer)s AND {customer_head_told}
  UNION
    SELECT a.id, a.ticket_id, a.target, a.step, t.requester_id
    FROM {alerts} a JOIN {tickets} t ON t.id = a.ticket_id
    WHERE a.notified_at = %(now)s
"""

# One message per recipient with an address, in the state of their preference for the kind
# (%(delivery_key)s reads it from the profile's JSON on PostgreSQL and SQLite alike).
# A warning overtaken by its breach (a scan catching up after an outage finds both) is not told
# ({overtaken} is then a NOT EXISTS on the breaches; TRUE for the breaches themselves).
INSERT_MESSAGES = """
    INSERT INTO {messages}
        (kind, recipient_id, about_type_id, about_id, round, state, cancel_reason, attempts,
         last_error, created_at)
    SELECT %(kind)s, u.id, %(about_type)s, r.alert_id, 1,
           CASE p.deliveries ->> CAST(%(delivery_key)s AS TEXT)
               WHEN %(digest_delivery)s THEN %(digest)s
               WHEN %(in_app_delivery)s THEN %(in_app)s
               ELSE %(pending)s END,
           '', 0, '', %(now)s
    FROM ({recipients}) r
    JOIN {users} u ON u.id = r.user_id AND u.is_active AND u.email <> ''
    LEFT JOIN {profiles} p ON p.user_id = u.id
    WHERE {not_overtaken}
    ON CONFLICT DO NOTHING
    RETURNING id, state
"""

NOT_OVERTAKEN = """NOT EXISTS (
    SELECT 1 FROM {breaches} b
    WHERE b.ticket_id = r.ticket_id AND b.target = r.target AND b.step = r.step)"""


def notify_new_alerts(*, now: datetime) -> tuple[list[int], int]:
    """Mark every breach and warning not yet notified as notified at `now` and write their
    messages, sent after the commit. Return the ids to send now (those for digest readers wait
    for their digest) and the number of SQL statements run (counted, as group chats and
    webhooks add a few when any are set up)."""
    statements = StatementCounter()
    with connection.execute_wrapper(statements), transaction.atomic():
        if connection.vendor == "postgresql":
            # As in the scan: with thousands of new alerts the INSERT's estimated cost passes
            # jit_above_cost, and compiling it takes longer than running it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        to_send = _notify(Breach, letters.BREACH, now)
        to_send += _notify(TargetWarning, letters.WARNING, now)
        send_after_commit(to_send)
    return to_send, statements.count


class StatementCounter:
    """Counts the SQL statements run through Django's connection (an execute wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _notify(model: type[Breach] | type[TargetWarning], kind: str, now: datetime) -> list[int]:
    if not model.objects.filter(notified_at__isnull=True).update(notified_at=now):
        return []
    tables = {
        "alerts": model._meta.db_table,
        "approvals": Approval._meta.db_table,
        "breaches": Breach._meta.db_table,
        "memberships": Membership._meta.db_table,
        "messages": Message._meta.db_table,
        "profiles": Profile._meta.db_table,
        "tickets": Ticket._meta.db_table,
        "users": get_user_model()._meta.db_table,
    }
    not_overtaken = "TRUE" if model is Breach else NOT_OVERTAKEN.format(**tables)
    # The requester's answer duty: the requester hears of a warning, their head of a breach.
    customer_head_told = "TRUE" if model is Breach else "FALSE"
    recipients = RECIPIENTS.format(customer_head_told=customer_head_told, **tables)
    sql = INSERT_MESSAGES.format(recipients=recipients, not_overtaken=not_overtaken, **tables)
    parameters = {
        # As the ORM stored it in `notified_at` (on SQLite, a naive UTC string: not the aware
        # value a raw parameter would be written as, which would never compare equal).
        "now": connection.ops.adapt_datetimefield_value(now),
        "kind": kind,
        "about_type": ContentType.objects.get_for_model(model).pk,
        "approval": Target.APPROVAL,
        "answer": Target.REQUESTER_ANSWER,
        "agent": Membership.Role.AGENT,
        "head": Membership.Role.HEAD,
        # PostgreSQL reads a text operand of ->> as a key; SQLite as a JSON path, where the
        # dot of the kind's name must be quoted.
        "delivery_key": kind if connection.vendor == "postgresql" else f'$."{kind}"',
        "digest_delivery": Delivery.DIGEST,
        "in_app_delivery": Delivery.IN_APP,
        "digest": Message.State.DIGEST,
        "in_app": Message.State.IN_APP,
        "pending": Message.State.PENDING,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        to_send = sorted(pk for pk, state in cursor.fetchall() if state == Message.State.PENDING)
    # The group chats and webhooks that hear of alerts (read only when a channel is set up).
    fan_out(kind, model.objects.filter(notified_at=now).select_related("ticket__provider"))
    return to_send
