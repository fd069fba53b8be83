"""Django for the benchmark scripts: the repository on the path and the settings loaded, with the
database (and anything else) taken from the environment as in production."""

import os
import sys
import time
from pathlib import Path
from statistics import median, quantiles

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str | None = None) -> None:
    """Load the settings, pointed at `database_url` when given; call before importing models."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # A benchmark never serves a request; the key only has to satisfy the settings' check.
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    # Tasks queued by the code under test (e-mail after a scan) stay in this process: a
    # benchmark must not hand its rows' ids to a worker of the development broker.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def recreate_database(url: str) -> None:
    """Drop and create the database named in `url`, from the server's maintenance database."""
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    admin = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def measure_page(user, url: str, runs: int) -> dict:
    """`url` read `runs` times by `user` through Django's test client (after one warm-up
    read): median and p95 in milliseconds, and the queries of one read."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    timings, queries = [], 0
    for run in range(runs + 1):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - began
        assert response.status_code == 200, (url, response.status_code)
        if run:  # the first render warms caches (templates, the calendars' clocks)
            timings.append(elapsed * 1000)
            queries = len(captured.captured_queries)
    return {
        "median_ms": round(median(timings), 1),
        "p95_ms": round(quantiles(timings, n=20)[-1], 1),
        "queries": queries,
    }
