"""The cost of each page of the load test (bench/load.py) for one person, measured inside one
process so that a busy machine misleads less than wall times do: through Django's test client on
the database bench/load.py (or bench/ticket_queue.py) seeded, each page rendered R times after a
warm-up, with its queries counted, the CPU time of this process (Python: the view, the templates)
and the time spent waiting on PostgreSQL (the queries' wall time, most of it PostgreSQL's CPU on an
idle server). `--profile PAGE` prints cProfile's top functions of one page instead.

    .venv/bin/python bench/load_pages.py --database-url postgres://postgres@127.0.0.1:5432/accord_bench_queue

The last line printed is JSON: {"<page>": {"median_ms", "cpu_ms", "sql_ms", "queries"}, …}.
"""

import argparse
import cProfile
import json
import pstats
import sys
import time
from pathlib import Path
from statistics import median

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _django import setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_load"
# (page, person, path): the pages bench/load_people.py asks for, as the people who ask for them.
PAGES = [
    ("home, staff", "staff000", "/"),
    ("home, agent", "agent001", "/"),
    ("home, head", "head00", "/"),
    ("dashboard", "head00", "/dashboards/department/D00/"),
    ("my requests", "staff000", "/requests/"),
    ("request form", "staff000", "/requests/new/{service}/"),
    ("queue", "agent001", "/requests/queue/"),
    ("queue, unassigned", "agent001", "/requests/queue/?assignee=unassigned"),
    ("request page", "agent001", "/requests/{ticket}/"),
    ("search", "agent001", "/requests/search/?q=item1234"),
    ("search, Chinese", "agent001", "/requests/search/?q=甲乙丙"),
]


class SqlTimer:
    """A database execute wrapper adding up the queries and the time spent in them."""

    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0
        self.each: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.queries += 1
            self.each.append((time.perf_counter() - began, sql))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--profile", help="a page's name: print its cProfile instead")
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    parser.add_argument("--queries", action="store_true", help="print each query's time")
    parser.add_argument("--sort", default="cumulative", help="cProfile's order: tottime…")
    parser.add_argument("--top", type=int, default=45, help="cProfile's lines printed")
    args = parser.parse_args()
    setup_django(args.database_url)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from agreements.models import Service
    from departments.models import Department
    from tickets.models import Ticket

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.SECURE_SSL_REDIRECT = False
    department = Department.objects.get(code="D00")
    values = {
        "service": Service.objects.exclude(provider=department).order_by("name").first().pk,
        "ticket": Ticket.objects.filter(provider=department).order_by("next_due_at").first().pk,
    }
    people = get_user_model().objects
    result = {}
    for name, username, path in PAGES:
        if args.page and name not in args.page:
            continue
        if args.profile and name != args.profile:
            continue
        client = Client()
        client.force_login(people.get(username=username))
        url = path.format(**values)
        assert client.get(url).status_code == 200, url  # warm-up
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.runs):
                client.get(url)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
            return
        walls, cpus, sqls, queries = [], [], [], 0
        for _ in range(args.runs):
            timer = SqlTimer()
            with connection.execute_wrapper(timer):
                began, cpu = time.perf_counter(), time.process_time()
                client.get(url)
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - began)
            sqls.append(timer.seconds)
            queries = timer.queries
        if args.queries:
            for seconds, sql in timer.each:
                print(f"{seconds * 1000:8.1f} ms  {sql[:300]}", file=sys.stderr)
        result[name] = {
            "median_ms": round(median(walls) * 1000, 1),
            "cpu_ms": round(median(cpus) * 1000, 1),
            "sql_ms": round(median(sqls) * 1000, 1),
            "queries": queries,
        }
        print(name, result[name], file=sys.stderr, flush=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
