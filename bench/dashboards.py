"""Benchmark of the dashboard pages on PostgreSQL: N requests over the last year between D
departments, about 5 % of them breached; each page rendered through Django's test client as a
logged-in head (their own department) and as HR, timed, its SQL queries counted.

Run from the repository root (it drops and recreates its own database):

    .venv/bin/python bench/dashboards.py --requests 1000000

The last line printed is JSON: {"requests": N, "breaches": B, "pages": {"<page>": {"median_ms":
…, "p95_ms": …, "queries": …}, …}}.
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import measure_page, recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_dashboards"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=15, help="renders of each page (one warm-up)")
    args = parser.parse_args()

    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    call_command("migrate", verbosity=0)
    now = timezone.now()
    began = time.perf_counter()
    head, hr, department = create_company(args.departments, now)
    breaches = create_requests(args.requests, now)
    print(f"{args.requests:,} requests, {breaches:,} breaches between {args.departments} "
          f"departments, created in {time.perf_counter() - began:.1f} s")  # fmt: skip

    from django.db import connection

    from dashboards.services import rollup_refresh

    days, first_ms = timed(lambda: rollup_refresh(now=timezone.now()))  # the first run: every day
    with connection.cursor() as cursor:  # as autovacuum soon does after so many new rows
        for table in ("dailycount", "dailypaircount", "countedday"):
            cursor.execute(f"VACUUM ANALYZE dashboards_{table}")
    idle_ms = timed(lambda: rollup_refresh(now=timezone.now()))[1]  # nothing new: every 5 min
    with connection.cursor() as cursor:  # the requests open since 2 days ago are closed
        cursor.execute(
            "UPDATE tickets_ticket SET status = 'closed', closed_at = %(now)s WHERE status <> "
            "'closed' AND filed_at < %(now)s - interval '2 days'",
            {"now": timezone.now()},
        )
    settled, settle_ms = timed(lambda: rollup_refresh(now=timezone.now()))
    print(f"daily totals: {days} days counted in {first_ms} ms; a run with nothing new "
          f"{idle_ms} ms; {settled} days whose requests all closed counted again in "
          f"{settle_ms} ms")  # fmt: skip
    pages = {}
    for who, user in (("head", head), ("hr", hr)):
        for name, url in page_urls(department).items():
            pages[f"{name} as {who}"] = measure(user, url, args.runs)
            figures = pages[f"{name} as {who}"]
            print(f"{name} as {who}: median {figures['median_ms']} ms, p95 "
                  f"{figures['p95_ms']} ms, {figures['queries']} queries")  # fmt: skip
    result = {"requests": args.requests, "breaches": breaches, "pages": pages}
    result["rollup"] = {
        "first_count_ms": first_ms,
        "days": days,
        "idle_refresh_ms": idle_ms,
        "settled_days": settled,
        "settling_refresh_ms": settle_ms,
    }
    print(json.dumps(result))


def timed(run) -> tuple:
    """What `run()` returns, and how long it took in ms."""
    began = time.perf_counter()
    result = run()
    return result, round((time.perf_counter() - began) * 1000, 1)


def page_urls(department) -> dict[str, str]:
    from django.urls import reverse

    dashboard = reverse("dashboards:department", args=[department.code])
    requests = reverse("dashboards:requests", args=[department.code])
    return {
        "supplier, last 30 days": f"{dashboard}?period=30d",
        "supplier, last 90 days": f"{dashboard}?period=90d&view=supplier",
        "customer, last 30 days": f"{dashboard}?period=30d&view=customer",
        "supplier, custom year": f"{dashboard}?period=custom&from={{first}}&to={{last}}",
        "breached requests, last 90 days": f"{requests}?period=90d&outcome=breached",
        "scorecard, last 30 days": reverse("dashboards:scorecard") + "?period=30d",
        "scorecard, last 90 days": reverse("dashboards:scorecard") + "?period=90d",
        "scorecard, custom 90 days": reverse("dashboards:scorecard")
        + "?period=custom&from={first90}&to={yesterday}",
    }


def measure(user, url: str, runs: int) -> dict:
    from django.utils import timezone

    today = timezone.localdate()
    url = url.format(
        first=today - timedelta(days=364),
        first90=today - timedelta(days=90),
        yesterday=today - timedelta(days=1),
        last=today,
    )
    return measure_page(user, url, runs)


def create_company(count: int, now):
    """`count` departments, each with a head, two services and an agreement in force covering
    every other department; and an HR user."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from agreements.models import Agreement, AgreementTarget, BusinessCalendar, Priority, Service
    from departments.models import Department, Membership

    users = get_user_model().objects
    calendar = BusinessCalendar.objects.create(name="China office")
    hr = users.create(username="hr", email="hr@accord.test")
    hr.user_permissions.add(Permission.objects.get(codename="view_company_reports"))
    heads = []
    for n in range(count):
        department = Department.objects.create(code=f"D{n:02d}", name=f"Department {n:02d}")
        head = users.create(username=f"head{n:02d}", email=f"head{n:02d}@accord.test")
        Membership.objects.create(user=head, department=department, role=Membership.Role.HEAD)
        heads.append((head, department))
        agreement = Agreement.objects.create(
            title=f"{department.name} services",
            provider=department,
            calendar=calendar,
            status=Agreement.Status.ACTIVE,
            activated_at=now - timedelta(days=400),
            valid_from=(now - timedelta(days=400)).date(),
            created_by=head,
            all_customers=True,
        )
        for k in range(2):
            service = Service.objects.create(provider=department, name=f"{department.code} {k}")
            agreement.services.add(service)
        for priority in Priority.values:
            AgreementTarget.objects.create(
                agreement=agreement,
                priority=priority,
                first_response=timedelta(hours=4),
                resolution=timedelta(hours=16),
            )
    head, department = heads[0]
    return head, hr, department


def create_requests(count: int, now) -> int:
    """`count` requests filed evenly over the last 365 days, in one INSERT … SELECT, every
    department receiving requests on both its services at all four priorities from every other
    department: 2 % without an agreement, 4 % with a late first response, 1 % with a late
    resolution (each breach also a Breach row), the last 3 days still open, a third of the others
    rated. Returns the breaches."""
    from django.db import connection

    from tickets.models import Status

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH d AS (SELECT array_agg(id ORDER BY code) AS ids FROM departments_department),
            s AS (SELECT array_agg(id ORDER BY name) AS ids FROM agreements_service),
            a AS (SELECT array_agg(id ORDER BY provider_id) AS ids FROM agreements_agreement),
            u AS (SELECT min(id) AS id FROM auth_user)
            INSERT INTO tickets_ticket (
                title, description, answers, priority, service_id, provider_id, customer_id,
                requester_id, agreement_id, status, version, filed_at, resolution_started_at,
                first_response_due_at, resolution_due_at, first_responded_at, resolved_at,
                first_response_breached_at, resolution_breached_at, closed_at, rating,
                rating_comment)
            SELECT 'Request ' || i, '', '{}', 'P' || (1 + (i / 7) %% 4),
                s.ids[2 * p + 1 + (i / 3) %% 2],
                d.ids[p + 1], d.ids[(p + 1 + (i / n) %% (n - 1)) %% n + 1], u.id,
                CASE WHEN agreed THEN a.ids[p + 1] END,
                CASE WHEN open THEN %(open)s ELSE %(closed)s END, 0, filed, filed,
                CASE WHEN agreed THEN filed + interval '4 hours' END,
                CASE WHEN agreed THEN filed + interval '2 days' END,
                CASE WHEN open AND i %% 2 = 0 THEN NULL ELSE filed + responded END,
                CASE WHEN open THEN NULL ELSE filed + resolved END,
                CASE WHEN agreed AND responded > interval '4 hours'
                    AND NOT (open AND i %% 2 = 0) THEN filed + interval '4 hours 1 minute' END,
                CASE WHEN agreed AND resolved > interval '2 days' AND NOT open
                    THEN filed + interval '2 days 1 minute' END,
                CASE WHEN open THEN NULL ELSE filed + resolved END,
                CASE WHEN NOT open AND i %% 3 = 0 THEN 1 + i %% 5 END, ''
            FROM d, s, a, u, (
                SELECT i, i %% %(departments)s AS p, %(departments)s AS n, i %% 50 <> 0 AS agreed,
                    %(now)s - (i::float / %(count)s) * interval '365 days' AS filed,
                    (i::float / %(count)s) * 365 < 3 AS open,
                    CASE WHEN i %% 100 BETWEEN 1 AND 4
                        THEN interval '5 hours' + (i %% 60) * interval '1 minute'
                        ELSE (i %% 200) * interval '1 minute' END AS responded,
                    CASE WHEN i %% 100 = 51 THEN interval '3 days'
                        ELSE interval '1 hour' + (i %% 2500) * interval '1 minute' END AS resolved
                FROM generate_series(1, %(count)s) AS i
            ) AS requests
            """,
            {
                "open": Status.IN_PROGRESS,
                "closed": Status.CLOSED,
                "now": now,
                "count": count,
                "departments": count_departments(cursor),
            },
        )
        inserted = 0
        for target in ("first_response", "resolution"):
            cursor.execute(
                f"""
                INSERT INTO tickets_breach (ticket_id, target, step, agreement_id, due_at,
                    detected_at, escalation_level, escalation_ended)
                SELECT id, %(target)s, 0, agreement_id, {target}_due_at, {target}_breached_at,
                    1, true
                FROM tickets_ticket WHERE {target}_breached_at IS NOT NULL
                """,
                {"target": target},
            )
            inserted += cursor.rowcount
        cursor.execute("VACUUM ANALYZE")
    return inserted


def count_departments(cursor) -> int:
    cursor.execute("SELECT count(*) FROM departments_department")
    return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
