"""Load test: Locust (headless) against gunicorn on PostgreSQL seeded with N open requests (by
bench/ticket_queue.py's seeding, dashboards' daily totals counted as beat would): U simulated people
for D seconds (bench/load_people.py: staff filing and reading their requests, agents working
their queue and searching, heads opening their dashboard), then one person alone reading home,
the queue, a request page and search, each page R times.

Needs the `bench` extra (`pip install -e '.[bench]'`: Locust) and collected static files
(`manage.py collectstatic`). Run from the repository root (it drops and recreates its own
database unless --reuse-database):

    .venv/bin/python bench/load.py --requests 1000000 --users 100 --duration 300

The last line printed is JSON: {"users", "requests", "errors", "p50_ms", "p95_ms", "rps",
"pages": {"<page>": {"requests", "errors", "p50_ms", "p95_ms"}, …}, "one_user": {"<page>":
{"median_ms", …}}, "seeded_requests", "duration_s", "cpu_ms_per_request": {"web", "database"},
"load_average": {"before", "after"}, "commit"}. On a shared machine compare the CPU per request,
which the other processes do not change, rather than the response times.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from statistics import median

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import psutil  # noqa: E402  (Locust's dependency: the bench extra)
import psycopg  # noqa: E402
import redis  # noqa: E402
from _django import ROOT, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_load"
BIN = Path(sys.executable).parent
DEPARTMENTS = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--duration", type=int, default=300, help="seconds")
    parser.add_argument("--spawn-rate", type=float, default=5, help="people started a second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--reuse-database", action="store_true", help="seeded by an earlier run")
    parser.add_argument("--one-user-runs", type=int, default=20)
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/13",
        help="the cache gunicorn's workers share, emptied first (CACHE_URL); '' for one each",
    )  # fmt: skip
    args = parser.parse_args()

    import ticket_queue as seeding

    setup_django(args.database_url)
    from django.db import connection

    if not args.reuse_database:
        connection.close()
        seeding.recreate_database(args.database_url)
        seconds = seeding.seed(args.requests, DEPARTMENTS)
        print(f"seeded {args.requests:,} requests in {seconds} s", file=sys.stderr, flush=True)
    count_daily_totals()
    ids = seeded_ids()
    ids["BENCH_SESSIONS"] = json.dumps(signed_in_sessions())
    connection.close()

    load_before = os.getloadavg()
    if args.cache_url:
        redis.Redis.from_url(args.cache_url).flushdb()
    port = free_port()
    server = start_gunicorn(args.database_url, args.cache_url, port, args.workers)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base)
        with CpuMeter(server.pid, args.database_url) as cpu:
            stats = run_locust(base, args, ids)
        one_user = one_person_alone(base, args.one_user_runs)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    result = summarise(stats, args)
    result["cpu_ms_per_request"] = cpu.per_request(result["requests"])
    result["one_user"] = one_user
    # The machine is shared: the load average (1, 5, 15 min) says how busy it was besides us.
    result["load_average"] = {"before": load_before, "after": os.getloadavg()}
    result["commit"] = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    print(json.dumps(result, ensure_ascii=False))


def count_daily_totals() -> None:
    """The dashboards read daily totals that beat keeps; count them once, as its first run."""
    from django.utils import timezone

    from dashboards.services import rollup_refresh

    began = time.perf_counter()
    rollup_refresh(now=timezone.now())
    print(f"daily totals counted in {time.perf_counter() - began:.1f} s", file=sys.stderr)


def seeded_ids() -> dict[str, str]:
    from agreements.models import Service
    from departments.models import Department

    departments = Department.objects.order_by("code").values_list("pk", flat=True)
    services = Service.objects.order_by("name").values_list("pk", flat=True)
    return {
        "BENCH_DEPARTMENT_IDS": ",".join(map(str, departments)),
        "BENCH_SERVICE_IDS": ",".join(map(str, services)),
    }


def signed_in_sessions() -> dict[str, str]:
    """A session for each bench person, as signing in would leave (database sessions): the
    simulated people start signed in, as people at work are, rather than all signing in at once
    (a password check costs a core about half a second; the one-person pass signs in)."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore

    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "axes" not in b)
    sessions = {}
    for person in get_user_model().objects.filter(username__regex=r"^(staff|agent|head)\d"):
        session = SessionStore()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        session.create()
        sessions[person.username] = session.session_key
    return sessions


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, cache_url: str) -> dict[str, str]:
    """Production settings on plain HTTP on loopback, with a shared cache as in production
    (CACHE_URL) but no broker: tasks stay in memory."""
    inherited = {"REDIS_URL", "CACHE_URL", "DEBUG"}
    environment = {key: value for key, value in os.environ.items() if key not in inherited}
    environment.update(
        DATABASE_URL=database_url,
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment"),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        CELERY_BROKER_URL="memory://",
        EMAIL_URL="dummymail://",
    )
    if cache_url:
        environment["CACHE_URL"] = cache_url
    return environment


def start_gunicorn(database_url: str, cache_url: str, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=server_environment(database_url, cache_url), start_new_session=True,
    )  # fmt: skip


def wait_until_up(base: str) -> None:
    import requests

    for _ in range(120):
        try:
            if requests.get(f"{base}/accounts/login/", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or a worker still starting
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer in 60 s")


class CpuMeter(threading.Thread):
    """The CPU time gunicorn's workers and the PostgreSQL backends of the bench database used
    while the people were served (psutil, polled every second; a backend that ends between two
    polls loses at most its last second). On a shared machine this, per request, is what a page
    costs; the response times also hold the waits for other people's processes."""

    def __init__(self, gunicorn_pid: int, database_url: str) -> None:
        super().__init__(daemon=True)
        self.gunicorn = psutil.Process(gunicorn_pid)
        self.database = psycopg.conninfo.conninfo_to_dict(database_url)["dbname"]
        self.seen: dict[tuple[str, int], tuple[float, float]] = {}  # (kind, pid): (first, last)
        self.stopping = threading.Event()

    def __enter__(self) -> "CpuMeter":
        self.poll()
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.join()
        self.poll()

    def run(self) -> None:
        while not self.stopping.wait(1):
            self.poll()

    def poll(self) -> None:
        processes = [("web", child) for child in self.gunicorn.children()]
        for process in psutil.process_iter(["name", "cmdline"]):
            if process.info["name"] == "postgres" and self.database in " ".join(
                process.info["cmdline"] or ()
            ):
                processes.append(("database", process))
        for kind, process in processes:
            try:
                times = process.cpu_times()
            except psutil.Error:  # ended meanwhile
                continue
            used = times.user + times.system
            first, _ = self.seen.get((kind, process.pid), (used, used))
            self.seen[kind, process.pid] = (first, used)

    def per_request(self, requests_made: int) -> dict[str, float]:
        totals = {"web": 0.0, "database": 0.0}
        for (kind, _), (first, last) in self.seen.items():
            totals[kind] += last - first
        return {
            kind: round(seconds * 1000 / max(requests_made, 1), 1)
            for kind, seconds in totals.items()
        }


def run_locust(base: str, args, ids: dict[str, str]) -> list[dict]:
    """Locust's final statistics per page (its --json output)."""
    finished = subprocess.run(
        [str(BIN / "locust"), "-f", str(BENCH / "load_people.py"), "--headless",
         "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
         "--run-time", f"{args.duration}s", "--host", base, "--only-summary", "--json",
         "--stop-timeout", "10", "--loglevel", "WARNING"],
        cwd=ROOT, env={**os.environ, **ids}, capture_output=True, text=True,
    )  # fmt: skip
    print(finished.stderr[-3000:], file=sys.stderr)
    return json.loads(finished.stdout)


def percentile(histogram: dict[int, int], share: float) -> float | None:
    """The response time below which `share` of the requests fall, from Locust's histogram."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for milliseconds in sorted(histogram):
        seen += histogram[milliseconds]
        if seen >= share * total:
            return float(milliseconds)
    return float(max(histogram))


def summarise(stats: list[dict], args) -> dict:
    overall: dict[int, int] = {}
    pages = {}
    for entry in stats:
        histogram = {int(float(ms)): n for ms, n in entry["response_times"].items()}
        for ms, n in histogram.items():
            overall[ms] = overall.get(ms, 0) + n
        pages[entry["name"]] = {
            "requests": entry["num_requests"],
            "errors": entry["num_failures"],
            "p50_ms": percentile(histogram, 0.5),
            "p95_ms": percentile(histogram, 0.95),
        }
    requests_made = sum(entry["num_requests"] for entry in stats)
    return {
        "users": args.users,
        "requests": requests_made,
        "errors": sum(entry["num_failures"] for entry in stats),
        "p50_ms": percentile(overall, 0.5),
        "p95_ms": percentile(overall, 0.95),
        "rps": round(requests_made / args.duration, 1),
        "pages": pages,
        "seeded_requests": args.requests,
        "duration_s": args.duration,
    }


def one_person_alone(base: str, runs: int) -> dict:
    """An agent alone on the server: home, their queue, a request of it and a search, each read
    `runs` times after one warm-up; the median and slowest in ms."""
    import re

    import requests

    session = requests.Session()
    login = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    session.post(
        f"{base}/accounts/login/",
        {"username": "agent001", "password": "bench-password", "csrfmiddlewaretoken": token},
    )
    queue = session.get(f"{base}/requests/queue/")
    request_id = re.search(r'href="/requests/(\d+)/"', queue.text).group(1)
    pages = {
        "home": "/",
        "queue": "/requests/queue/",
        "request page": f"/requests/{request_id}/",
        "search": "/requests/search/?q=item1234",
    }
    result = {}
    for name, path in pages.items():
        timings = []
        for run in range(runs + 1):
            began = time.perf_counter()
            response = session.get(f"{base}{path}")
            elapsed = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, (path, response.status_code)
            if run:
                timings.append(elapsed)
        result[name] = {"median_ms": round(median(timings), 1), "max_ms": round(max(timings), 1)}
    return result


if __name__ == "__main__":
    main()
