"""Benchmark of the directory sync on the org file path: a generated org file (CSV) of N people
in D departments (a tree three levels deep; every department with a head and a few agents, one
person in ten also a member of a second department), read and applied to an empty Accord, then
read and applied again with no change.

Run from the repository root (it drops and recreates its own database):

    .venv/bin/python bench/directory_sync.py --people 20000 --departments 1000

Each sync is timed from the file's bytes to the commit (reading the CSV included). Queries and
writes (INSERT, UPDATE, DELETE) are counted by a database execute wrapper. The last line printed
is JSON.
"""

import argparse
import csv
import io
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_directory"
HEADER = [
    "department_code", "department_name", "parent_code", "username", "email", "first_name",
    "last_name", "role", "active", "language",
]  # fmt: skip


def org_file(people: int, departments: int, seed: int = 15) -> bytes:
    """The org file's bytes: departments D0… in a tree (a root, ~30 divisions, the rest under
    them), then one row per person and department."""
    rng = random.Random(seed)
    rows = [HEADER, ["D0", "Company", "", "", "", "", "", "", "", ""]]
    divisions = max(1, min(30, departments - 1))
    for number in range(1, departments):
        parent = "D0" if number <= divisions else f"D{rng.randint(1, divisions)}"
        rows.append([f"D{number}", f"Department {number}", parent, "", "", "", "", "", "", ""])
    for number in range(people):
        department = number % departments
        role = "head" if number < departments else ("agent" if number % 7 == 0 else "member")
        login = f"person{number}"
        person = [login, f"{login}@example.com", f"First{number}", f"Last{number}"]
        language = "zh-CN" if number % 2 else "en"
        rows.append([f"D{department}", "", "", *person, role, "yes", language])
        if number % 10 == 0:
            second = (department + 1 + rng.randrange(departments - 1)) % departments
            rows.append([f"D{second}", "", "", *person, "member", "yes", language])
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


class Counter:
    """A database execute wrapper counting statements and writes."""

    def __init__(self):
        self.queries = 0
        self.writes = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes += 1
        return execute(sql, params, many, context)


def timed_sync(content: bytes) -> tuple[float, Counter, int]:
    from django.db import connection

    from directory import sync
    from directory.sources.orgfile import read_org_file

    counter = Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = read_org_file(content, "org.csv")
        assert not result.errors, result.errors[:5]
        plan = sync.apply(result.snapshot, dry_run=False)
    return time.perf_counter() - started, counter, len(plan.changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--departments", type=int, default=1_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    content = org_file(args.people, args.departments)
    print(f"org file: {len(content):,} bytes, {args.people:,} people, {args.departments:,} depts")

    first_s, first, first_changes = timed_sync(content)
    print(f"first sync: {first_changes:,} changes, {first.queries} queries, {first_s:.2f} s")
    second_s, second, second_changes = timed_sync(content)
    print(f"second sync: {second_changes} changes, {second.queries} queries, {second_s:.2f} s")

    from django.contrib.auth import get_user_model

    from departments.models import Department

    assert get_user_model().objects.count() == args.people
    assert Department.objects.count() == args.departments
    print(
        json.dumps(
            {
                "people": args.people,
                "departments": args.departments,
                "first_s": round(first_s, 2),
                "second_s": round(second_s, 2),
                "queries_first": first.queries,
                "queries_second": second.queries,
                "writes_second": second.writes,
            }
        )
    )


if __name__ == "__main__":
    main()
