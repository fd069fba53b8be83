"""`make run` keeps its data in SQLite while the web and the workers write at once: with the
settings' SQLite options (WAL journal, busy timeout, immediate transactions) many concurrent
writers all succeed. The rest of the suite runs on PostgreSQL; this test runs Django in a
fresh process on a SQLite file of its own."""

import pytest

from tests.support.sqlite import run_on_sqlite

WRITERS, WRITES = 8, 25
SCRIPT = f"""
import threading
from django.db import connection, connections, transaction
from departments.models import Department

errors = []
start = threading.Barrier({WRITERS})

def write(writer):
    start.wait()
    try:
        for number in range({WRITES}):
            try:
                # Read, then write, in one transaction: what every service does.
                with transaction.atomic():
                    count = Department.objects.count()
                    Department.objects.create(code=f"w{{writer}}-{{number}}",
                                              name=f"Writer {{writer}} {{number}} after {{count}}")
            except Exception as error:
                errors.append(repr(error))
    finally:
        connections.close_all()

threads = [threading.Thread(target=write, args=(n,)) for n in range({WRITERS})]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
print(journal, Department.objects.count(), len(errors), *sorted(set(errors))[:3], sep="|")
"""


@pytest.mark.slow  # a subprocess migrates its own SQLite database
def test_concurrent_writers_on_sqlite_all_succeed(tmp_path):
    completed = run_on_sqlite(tmp_path, SCRIPT)

    assert completed.returncode == 0, completed.stderr[-3000:]
    journal, departments, errors, *messages = completed.stdout.strip().splitlines()[-1].split("|")
    assert (int(errors), messages) == (0, [])
    assert int(departments) >= WRITERS * WRITES
    assert journal == "wal"
