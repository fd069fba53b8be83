"""Fail fast, with directions, when the test suite's PostgreSQL or Redis is not reachable.

Run as `python -m config.check_services` (the Makefile does, before the tests).
"""

import os
import sys

import environ
import psycopg
import redis

HOW_TO_START = """\
Start them with one of:
  docker compose up -d postgres redis
  sudo pg_ctlcluster $(ls /etc/postgresql) main start; redis-server --daemonize yes
or point DATABASE_URL / REDIS_URL at servers you already run."""


def postgres_error(url: str) -> str | None:
    config = environ.Env.db_url_config(url)
    try:
        psycopg.connect(
            host=config["HOST"] or None,
            port=config["PORT"] or None,
            user=config["USER"] or None,
            password=config["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as error:
        return f"PostgreSQL at {config['HOST']}:{config['PORT']} is not reachable: {error}"
    return None


def redis_error(url: str) -> str | None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis at {url} is not reachable: {error}"
    return None


def main() -> int:
    database_url = os.environ["DATABASE_URL"]
    if not database_url.startswith(("postgres://", "postgresql://")):
        print(f"The tests run on PostgreSQL; DATABASE_URL is {database_url!r}.", file=sys.stderr)
        return 1
    errors = [
        error
        for error in (postgres_error(database_url), redis_error(os.environ["REDIS_URL"]))
        if error
    ]
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        print(HOW_TO_START, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
