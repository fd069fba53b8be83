"""Django for the benchmark scripts: the repository on the path and the settings loaded, with the
database (and anything else) taken from the environment as in production."""

import os
import sys
from pathlib import Path

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
