"""Benchmark of the queue, "my requests" and search on PostgreSQL: N open requests between D
departments (each with a head and five agents, two services, an agreement in force), a comment
on one request in ten; every kind of page rendered through Django's test client (the queue as an
agent: first page, a later page, the last page the count reaches, by priority, by status, by
assignee, "assigned to me"; "my requests" as a requester; search by a word, three and two
Chinese characters, and a number), timed, its SQL queries counted.

Run from the repository root (it drops and recreates its own database for each size):

    .venv/bin/python bench/ticket_queue.py --requests 100000 1000000

One JSON line per size: {"requests": N, "seed_s": …, "pages": {"<page>": {"median_ms": …,
"p95_ms": …, "queries": …}, …}}.
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import measure_page, recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_queue"
AGENTS_PER_DEPARTMENT = 5
PASSWORD = "bench-password"  # of every person created (bench/load.py signs in with it)
REQUESTERS = 400
# Words of the descriptions: `item<n>` for one request in 5,000, three of these characters
# (one combination in 10,648) for one in about 10,000.
STEMS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--departments", type=int, default=20)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=15, help="renders of each page (one warm-up)")
    parser.add_argument(
        "--reuse-database", action="store_true", help="measure the database seeded before"
    )
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.db import connection

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    for count in args.requests:
        seconds = None
        if not args.reuse_database:
            connection.close()
            recreate_database(args.database_url)
            seconds = seed(count, args.departments)
        result = {"requests": count, "seed_s": seconds, "pages": measure_pages(args.runs)}
        print(json.dumps(result), flush=True)


def seed(count: int, departments: int) -> float:
    """Migrate, create the company, insert `count` open requests; the seconds it took."""
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    settings.SECURE_SSL_REDIRECT = False
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    now = timezone.now()
    create_company(departments, now)
    create_open_requests(count, now)
    return round(time.perf_counter() - began, 1)


def create_company(count: int, now) -> None:
    """`count` departments, each with a head, agents, two services and an agreement in force
    covering every other department; REQUESTERS members spread over the departments."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from agreements.models import Agreement, AgreementTarget, BusinessCalendar, Priority, Service
    from departments.models import Department, Membership

    users = get_user_model().objects
    password = make_password(PASSWORD)  # hashed once: every bench person shares it
    calendar = BusinessCalendar.objects.create(name="China office")
    departments = []
    for n in range(count):
        department = Department.objects.create(code=f"D{n:02d}", name=f"Department {n:02d}")
        departments.append(department)
        head = users.create(username=f"head{n:02d}", password=password)
        Membership.objects.create(user=head, department=department, role=Membership.Role.HEAD)
        for k in range(AGENTS_PER_DEPARTMENT):
            agent = users.create(username=f"agent{n:02d}{k}", password=password)
            Membership.objects.create(user=agent, department=department, role=Membership.Role.AGENT)
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
        AgreementTarget.objects.bulk_create(
            AgreementTarget(
                agreement=agreement,
                priority=priority,
                first_response=timedelta(hours=4),
                resolution=timedelta(hours=16),
            )
            for priority in Priority.values
        )
    for n in range(REQUESTERS):
        person = users.create(username=f"staff{n:03d}", password=password)
        Membership.objects.create(user=person, department=departments[n % count])


def create_open_requests(count: int, now) -> None:
    """`count` open requests filed over the last 90 days, in one INSERT … SELECT with the
    table's secondary indexes dropped and built again afterwards (as a restore would): every
    department receives from every other, at four priorities; three in ten new and unassigned,
    the others acknowledged, in progress or (one in ten) waiting on the requester, assigned to
    one of the provider's agents; one in ten with a comment. `next_due_at` and `search_text` as
    `Ticket.save()` keeps them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket' "
            "AND indexname <> 'tickets_ticket_pkey'"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            """
            WITH d AS (SELECT array_agg(id ORDER BY code) AS ids FROM departments_department),
            s AS (SELECT array_agg(id ORDER BY name) AS ids FROM agreements_service),
            a AS (SELECT array_agg(id ORDER BY provider_id) AS ids FROM agreements_agreement),
            agents AS (SELECT array_agg(id ORDER BY username) AS ids FROM auth_user
                WHERE username LIKE 'agent%%'),
            staff AS (SELECT array_agg(id ORDER BY username) AS ids FROM auth_user
                WHERE username LIKE 'staff%%'),
            requests AS (
                SELECT i, i %% %(departments)s AS p, %(departments)s AS n,
                    %(now)s - (i::float / %(count)s) * interval '90 days' AS filed,
                    CASE WHEN i %% 10 < 3 THEN 'new' WHEN i %% 10 < 5 THEN 'acknowledged'
                        WHEN i %% 10 < 9 THEN 'in_progress' ELSE 'waiting' END AS status,
                    'item' || (i %% 5000) || ' ' || substr(%(stems)s, 1 + i %% 22, 1)
                        || substr(%(stems)s, 1 + (i / 22) %% 22, 1)
                        || substr(%(stems)s, 1 + (i / 484) %% 22, 1) AS words
                FROM generate_series(1, %(count)s) AS i
            )
            INSERT INTO tickets_ticket (
                title, description, answers, priority, service_id, provider_id, customer_id,
                requester_id, agreement_id, assignee_id, status, version, filed_at,
                resolution_started_at, first_response_due_at, resolution_due_at,
                first_responded_at, paused_at, next_due_at, rating_comment, search_text)
            SELECT 'Request ' || i, 'Please look at ' || words, '{}', 'P' || (1 + (i / 7) %% 4),
                s.ids[2 * p + 1 + (i / 3) %% 2], d.ids[p + 1],
                d.ids[(p + 1 + (i / n) %% (n - 1)) %% n + 1],
                staff.ids[1 + (i / n) %% array_length(staff.ids, 1)], a.ids[p + 1],
                CASE WHEN status <> 'new' THEN agents.ids[p * %(agents)s + 1 + i %% %(agents)s]
                    END,
                status, 0, filed, filed, filed + interval '4 hours',
                CASE WHEN status <> 'waiting' THEN filed + interval '16 hours' END,
                CASE WHEN status <> 'new' THEN filed + interval '1 hour' END,
                CASE WHEN status = 'waiting' THEN filed + interval '2 hours' END,
                CASE WHEN status = 'new' THEN filed + interval '4 hours'
                    WHEN status <> 'waiting' THEN filed + interval '16 hours' END,
                '', 'Request ' || i || E'\n' || 'Please look at ' || words
            FROM d, s, a, agents, staff, requests
            """,
            {
                "now": now,
                "count": count,
                "departments": count_departments(cursor),
                "agents": AGENTS_PER_DEPARTMENT,
                "stems": STEMS,
            },
        )
        cursor.execute(
            """
            INSERT INTO tickets_event (ticket_id, kind, actor_id, at, from_status, to_status,
                text, is_internal)
            SELECT id, 'comment', requester_id, filed_at + interval '30 minutes', '', '',
                'Any news on item' || (id % 5000) || '?', false
            FROM tickets_ticket WHERE id % 10 = 0
            """
        )
        for _, definition in indexes:
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE")


def count_departments(cursor) -> int:
    cursor.execute("SELECT count(*) FROM departments_department")
    return cursor.fetchone()[0]


def page_urls() -> dict[str, tuple[str, str]]:
    """Each page measured: (who reads it, its address)."""
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.get(username="agent001")
    queue = "/requests/queue/"
    return {
        "queue, first page": ("agent001", queue),
        "queue, page 2": ("agent001", f"{queue}?page=2"),
        "queue, page 40 (the last counted)": ("agent001", f"{queue}?page=40"),
        "queue, priority P1": ("agent001", f"{queue}?priority=P1"),
        "queue, status new": ("agent001", f"{queue}?status=new"),
        "queue, all statuses": ("agent001", f"{queue}?status=all"),
        "queue, one assignee": ("agent001", f"{queue}?assignee={agent.pk}"),
        "queue, assigned to me": ("agent001", f"{queue}?assignee=mine"),
        "queue, unassigned": ("agent001", f"{queue}?assignee=unassigned"),
        "my requests": ("staff000", "/requests/"),
        "my requests, open, page 2": ("staff000", "/requests/?status=open&page=2"),
        "search, a word": ("agent001", "/requests/search/?q=item1234"),
        "search, three characters": ("agent001", "/requests/search/?q=乙丙丁"),
        "search, two characters": ("agent001", "/requests/search/?q=丙丁"),
        "search, a number": ("agent001", "/requests/search/?q=D00-4000"),
    }


def measure_pages(runs: int) -> dict:
    from django.contrib.auth import get_user_model

    pages = {}
    for name, (username, url) in page_urls().items():
        user = get_user_model().objects.get(username=username)
        pages[name] = measure_page(user, url, runs)
        print(f"{name}: {pages[name]}", file=sys.stderr, flush=True)
    return pages


if __name__ == "__main__":
    main()
