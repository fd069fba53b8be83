"""Benchmark of the breach scan on PostgreSQL: N open requests, a share of them past their
first-response due time; the scan run cold, then idle, against the bare lower bound of one
hand-written UPDATE that marks the same rows. The step that writes the new alerts' notifications,
in its own transaction after the scan's, is timed beside it.

Run from the repository root (it drops and recreates its own database):

    .venv/bin/python bench/breach_scan.py --tickets 1000000 --due-fraction 0.01

The last line printed is JSON.
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench"
IDLE_AFTER = timedelta(seconds=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--catch-up",
        action="store_true",
        help="the due requests' warnings are not on record yet (the scan was down for longer "
        "than the warning window): the cold scan records a warning and a breach for each",
    )
    parser.add_argument("--rounds", type=int, default=3, help="timings are the median of these")
    args = parser.parse_args()

    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from tickets.alerting.breach_scan import breach_scan
    from tickets.models import Breach, Target

    call_command("migrate", verbosity=0)
    now = timezone.now()
    began = time.perf_counter()
    due = create_requests(args.tickets, args.due_fraction, now)
    print(f"{args.tickets:,} open requests, {due:,} past their first-response due time, created "
          f"in {time.perf_counter() - began:.1f} s")  # fmt: skip

    scans, notify_steps, idle_scans, bare_updates, statements = [], [], [], [], 0
    for _ in range(args.rounds):
        settle(now, catch_up=args.catch_up)
        with CaptureQueriesContext(connection) as queries:
            cold = breach_scan(now=now)
        # The scan proper (flagging, its transaction and commit) and then the step that writes
        # the notifications of the new alerts (tickets.alerting.alerts), each timed by breach_scan.
        scans.append(cold.seconds)
        notify_steps.append(cold.notify_seconds)
        statements = max(statements, len(queries.captured_queries))
        phases = phase_seconds(queries.captured_queries)
        # The idle scan, both steps, runs a moment later, as the next scan would (a minute
        # later); nothing new is due by then.
        began = time.perf_counter()
        idle = breach_scan(now=now + IDLE_AFTER)
        idle_scans.append(time.perf_counter() - began)
        flagged = Breach.objects.filter(target=Target.FIRST_RESPONSE).count()
        assert len(cold.breaches) == flagged and not idle.breaches and not idle.warnings
        assert not idle.notifications
        assert not Breach.objects.exclude(target=Target.FIRST_RESPONSE).exists()
        assert not Breach.objects.filter(notified_at=None).exists()
        assert len(cold.warnings) == (due if args.catch_up else 0)

        settle(now, catch_up=args.catch_up)
        with connection.cursor() as cursor:
            began = time.perf_counter()
            cursor.execute(
                "UPDATE tickets_ticket SET first_response_breached_at = %s "
                "WHERE first_response_due_at < %s AND first_responded_at IS NULL "
                "AND first_response_breached_at IS NULL AND status = ANY(%s)",
                [now, now, open_statuses()],
            )
            bare_updates.append(time.perf_counter() - began)
            assert cursor.rowcount == due
        print(f"cold scan {scans[-1]:.3f} s and its notifications {notify_steps[-1]:.3f} s "
              f"({statements} statements, {len(cold.breaches):,} breaches, "
              f"{len(cold.warnings):,} warnings, {len(cold.notifications):,} e-mails queued; "
              f"{phases}), idle scan {idle_scans[-1] * 1000:.1f} ms, bare UPDATE "
              f"{bare_updates[-1]:.3f} s")  # fmt: skip
    settle(now, catch_up=args.catch_up)

    scan_s, notify_s, idle_scan_s, bare_update_s = map(
        median, (scans, notify_steps, idle_scans, bare_updates)
    )
    print(f"median of {args.rounds}: the scan takes {scan_s / bare_update_s:.2f} times as long as "
          f"the bare UPDATE of the same {due:,} rows, "
          f"{(scan_s + notify_s) / bare_update_s:.2f} times with its notifications")  # fmt: skip
    figures = {
        "tickets": args.tickets,
        "due": due,
        "flagged": flagged,
        "scan_s": round(scan_s, 4),
        "idle_scan_s": round(idle_scan_s, 4),
        "statements": statements,
        "bare_update_s": round(bare_update_s, 4),
        "ratio": round(scan_s / bare_update_s, 2),
        "notify_s": round(notify_s, 4),
        "ratio_with_notifications": round((scan_s + notify_s) / bare_update_s, 2),
    }
    print(json.dumps(figures))


def phase_seconds(queries: list[dict]) -> str:
    """Where a scan's time went, by step and kind of statement, as SQL timings reported by
    Django (the first COMMIT ends the scan proper)."""
    phases = {"alerts and markers": 0.0, "commit": 0.0, "notifications": 0.0, "its commit": 0.0}
    committed = False
    for query in queries:
        if query["sql"] == "COMMIT":
            phase, committed = ("its commit" if committed else "commit"), True
        else:
            phase = "notifications" if committed else "alerts and markers"
        phases[phase] += float(query["time"])
    return ", ".join(f"{phase} {seconds:.3f} s" for phase, seconds in phases.items())


def open_statuses() -> list[str]:
    from tickets.models import OPEN_STATUSES

    return [str(status) for status in OPEN_STATUSES]


def create_requests(count: int, due_fraction: float, now) -> int:
    """`count` open requests of one agreement, every target unmet and unflagged; the first-response
    due (and warning) time of round(count × due_fraction) of them, spread evenly, has passed.
    Returns that number."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from agreements.models import Agreement, BusinessCalendar, Service
    from departments.models import Department
    from tickets.models import Status

    provider = Department.objects.create(code="FIN", name="Finance")
    customer = Department.objects.create(code="SALES", name="Sales")
    requester = get_user_model().objects.create(username="staff", email="staff@accord.test")
    service = Service.objects.create(provider=provider, name="Payroll data extract")
    agreement = Agreement.objects.create(
        title="Finance services",
        provider=provider,
        calendar=BusinessCalendar.objects.create(name="China office"),
        status=Agreement.Status.ACTIVE,
        activated_at=now - timedelta(days=30),
        valid_from=(now - timedelta(days=30)).date(),
        created_by=requester,
    )
    agreement.services.add(service)
    agreement.customers.add(customer)
    due = round(count * due_fraction)
    with connection.cursor() as cursor:
        # Row i is past due when (i × due) mod count < due: exactly `due` rows, evenly spread.
        cursor.execute(
            """
            INSERT INTO tickets_ticket (
                title, description, answers, priority, service_id, provider_id, customer_id,
                requester_id, agreement_id, status, version, filed_at, resolution_started_at,
                first_response_due_at, first_response_warn_at, resolution_due_at,
                resolution_warn_at, rating_comment)
            SELECT 'Request ' || i, '', '{}', 'P3', %(service)s, %(provider)s, %(customer)s,
                %(requester)s, %(agreement)s, %(status)s, 0, %(now)s - interval '2 hours',
                %(now)s - interval '2 hours', first_due, first_due - interval '15 minutes',
                %(now)s + interval '3 days', %(now)s + interval '2 days', ''
            FROM (
                SELECT i, CASE WHEN (i::bigint * %(due)s) %% %(count)s < %(due)s
                    THEN %(now)s - (i %% 60 + 1) * interval '1 minute'
                    ELSE %(now)s + interval '1 hour' + (i %% 86400) * interval '1 second'
                END AS first_due
                FROM generate_series(1, %(count)s) AS i
            ) AS requests
            """,
            {
                "service": service.pk,
                "provider": provider.pk,
                "customer": customer.pk,
                "requester": requester.pk,
                "agreement": agreement.pk,
                "status": Status.IN_PROGRESS,
                "now": now,
                "due": due,
                "count": count,
            },
        )
    return due


def settle(now, *, catch_up: bool) -> None:
    """Put the requests back as created: no breaches; the due requests' warnings on record unless
    `catch_up`; the table in id order (updates move rows, and where the due rows lie decides how
    many pages an UPDATE touches), vacuumed and analysed. Every timing starts from here."""
    from django.db import connection

    from tickets.models import Breach, Target, TargetWarning, Ticket

    tickets, alerts = Ticket._meta.db_table, [m._meta.db_table for m in (Breach, TargetWarning)]
    markers = [f"{target}_{kind}_at" for target in ("first_response", "resolution")
               for kind in ("breached", "warned")]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(alerts)} CASCADE")
        cursor.execute(
            f"UPDATE {tickets} SET {', '.join(f'{marker} = NULL' for marker in markers)} "
            f"WHERE {' OR '.join(f'{marker} IS NOT NULL' for marker in markers)}"
        )
        if not catch_up:
            # Recorded by the scans that ran while the due requests crossed their threshold.
            cursor.execute(
                f"UPDATE {tickets} SET first_response_warned_at = first_response_warn_at "
                "WHERE first_response_warn_at <= %s",
                [now],
            )
            cursor.execute(
                f"INSERT INTO {alerts[1]} "
                "(ticket_id, target, step, due_at, detected_at, notified_at) "
                "SELECT id, %s, 0, first_response_due_at, first_response_warned_at, "
                f"first_response_warned_at FROM {tickets} "
                "WHERE first_response_warned_at IS NOT NULL",
                [Target.FIRST_RESPONSE],
            )
        cursor.execute(f"CLUSTER {tickets} USING {tickets}_pkey")
        cursor.execute(f"VACUUM (ANALYZE) {', '.join([tickets, *alerts])}")


if __name__ == "__main__":
    main()
