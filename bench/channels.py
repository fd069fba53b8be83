"""Benchmark of the group chat channel under a burst: E requests filed with each of D departments
(each with one bot: a mix of DingTalk, Feishu, Slack and Teams), their "filed" events fanned out
through `outbox.services.fan_out` as fast as they can be written, and delivered by a real Celery
worker (a subprocess, prefork, concurrency 2, as in production) on Redis, through the per-bot
rate limiter (chats.delivery), to a local HTTP server playing the apps.

Run from the repository root (it drops and recreates its own database; Redis db 15):

    .venv/bin/python bench/channels.py
    .venv/bin/python bench/channels.py --per-destination 40 --requeue-every 1

A message held back at a bot's limit waits in the outbox until `outbox.sending.requeue_unsent`
(beat's `outbox.send_unsent`, every five minutes in production) queues it again once due; here
the benchmark calls it every `--requeue-every` seconds, so that the run shows the limits rather
than beat's period. The server (a child process) records each post's bot, time and request
number. The last line printed is JSON.
"""

import argparse
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import ROOT, recreate_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_channels"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
REFERENCE = re.compile(rb"\bD\d{3}-\d+\b")
OK = {
    "dingtalk": (200, b'{"errcode":0,"errmsg":"ok"}'),
    "wecom": (200, b'{"errcode":0,"errmsg":"ok"}'),
    "feishu": (200, b'{"code":0,"msg":"success","data":{}}'),
    "slack": (200, b"ok"),
    "teams": (202, b""),
}


def serve(pipe) -> None:
    """In the child process: answer every post as its app does, keep (bot, time, the request
    numbers it names: one, or those a summary lists)."""
    posts: list[tuple[str, float, list[str]]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            parts = urlsplit(self.path)
            vendor, _, hook = parts.path.strip("/").partition("/")
            if vendor in ("dingtalk", "wecom"):
                hook = parse_qs(parts.query)["access_token"][0]
            found = sorted({match.decode() for match in REFERENCE.findall(body)})
            posts.append((hook, time.time(), found))
            status, answer = OK[vendor]
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pipe.send(server.server_address[1])
    pipe.recv()  # the benchmark is done
    server.shutdown()
    pipe.send(posts)


def setup(database_url: str, redis_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key-not-for-any-deployment"),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # The stand-in apps listen on loopback, which bots may reach only when allowed.
        WEBHOOKS_ALLOW_PRIVATE_ADDRESSES="true",
    )
    for variable in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        os.environ.pop(variable, None)
    import django

    django.setup()


def start_worker(log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "config.celery", "worker"),
                *("--pool=prefork", "--concurrency=2", "-n", "bench-channels@%h"),
                *("--loglevel=WARNING", "--without-gossip", "--without-mingle"),
            ],
            cwd=ROOT,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def create_world(mix: dict[str, int], per_destination: int, port: int):
    """D departments, each with a bot of its vendor, a service and `per_destination` open
    requests with their "filed" events (bulk inserted; the fan-out is what is timed)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agreements.models import Service
    from chats.models import ChatBot, EventKind
    from departments.models import Department
    from tickets.models import Event, Status, Ticket

    now = timezone.now()
    customer = Department.objects.create(code="SALES", name="Sales")
    requester = get_user_model().objects.create(username="staff", email="staff@accord.test")
    vendors = [vendor for vendor, count in mix.items() for _ in range(count)]
    departments = Department.objects.bulk_create(
        Department(code=f"D{number:03d}", name=f"Department {number:03d}")
        for number in range(len(vendors))
    )
    bots = ChatBot.objects.bulk_create(
        ChatBot(
            department=department,
            vendor=vendor,
            name=f"{department.name} group",
            address=(
                f"http://127.0.0.1:{port}/{vendor}/robot/send?access_token={department.code}"
                if vendor in ("dingtalk", "wecom")
                else f"http://127.0.0.1:{port}/{vendor}/{department.code}"
            ),
            kinds=[EventKind.FILED],
        )
        for department, vendor in zip(departments, vendors, strict=True)
    )
    services = Service.objects.bulk_create(
        Service(provider=department, name="Payroll data extract") for department in departments
    )
    tickets = Ticket.objects.bulk_create(
        Ticket(
            title=f"Request {number}",
            service=service,
            provider_id=service.provider_id,
            customer=customer,
            requester=requester,
            status=Status.NEW,
            filed_at=now,
        )
        for number in range(per_destination)
        for service in services  # interleaved: every department's requests arrive together
    )
    events = Event.objects.bulk_create(
        Event(ticket=ticket, kind=Event.Kind.FILED, actor=requester, at=now) for ticket in tickets
    )
    return {bot.department.code: bot.vendor for bot in bots}, events


def most_within(times: list[float], seconds: float) -> int:
    """The most posts within any window of `seconds`."""
    times, most, first = sorted(times), 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= seconds:
            first += 1
        most = max(most, last - first + 1)
    return most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-destination", type=int, default=100, help="events per bot")
    parser.add_argument("--dingtalk", type=int, default=40)
    parser.add_argument("--feishu", type=int, default=30)
    parser.add_argument("--slack", type=int, default=20)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--chunk", type=int, default=500, help="events per fan-out transaction")
    parser.add_argument("--requeue-every", type=float, default=1.0, help="seconds (beat: 300)")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    args = parser.parse_args()
    mix = {"dingtalk": args.dingtalk, "feishu": args.feishu, "slack": args.slack}
    mix["teams"] = args.teams

    pipe, child_pipe = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child_pipe,), daemon=True)
    server.start()
    port = pipe.recv()
    recreate_database(args.database_url)
    setup(args.database_url, args.redis_url)
    import redis
    from django.core.management import call_command
    from django.db import transaction

    from chats.vendors import LIMITS
    from config.celery import app
    from outbox.models import Message
    from outbox.sending import requeue_unsent
    from outbox.services import fan_out
    from tickets.letters import FILED

    call_command("migrate", verbosity=0)
    redis.Redis.from_url(args.redis_url).flushdb()  # the bench's own Redis database
    vendor_of, events = create_world(mix, args.per_destination, port)
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / "bench-channels-worker.log"
    worker = start_worker(log_path)
    try:
        while not app.control.ping(timeout=1):
            assert worker.poll() is None, log_path.read_text()
        print(f"{len(events):,} events for {len(vendor_of)} bots {mix}; worker ready")

        began = time.perf_counter()
        for start in range(0, len(events), args.chunk):
            with transaction.atomic():  # each chunk handed to the worker at its commit
                fan_out(FILED, events[start : start + args.chunk])
        written = time.perf_counter() - began
        print(f"written and queued in {written:.1f} s")
        chat = Message.objects.filter(destination_id__isnull=False)
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            time.sleep(args.requeue_every)
            if not chat.filter(state__in=[Message.State.PENDING, Message.State.SENDING]).exists():
                break  # summaries included: they are messages of the bot too
            requeue_unsent()
        seconds = time.perf_counter() - began
        states = Counter(chat.values_list("state", flat=True))
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    pipe.send("stop")
    posts = pipe.recv()
    server.join()

    # An event reaches its group on its own (a post naming its request) or listed in a summary.
    received = Counter((hook, found[0]) for hook, _at, found in posts if len(found) == 1)
    listed = Counter(
        (hook, number) for hook, _at, found in posts if len(found) > 1 for number in found
    )
    summaries = sum(1 for _hook, _at, found in posts if len(found) > 1)
    unrecognised = sum(1 for _hook, _at, found in posts if not found)
    times = defaultdict(list)
    for hook, at, _reference in posts:
        times[hook].append(at)
    over_limit = []
    worst: dict[str, dict[int, int]] = defaultdict(dict)
    for hook, seen in times.items():
        for window, limit in LIMITS[vendor_of[hook]]:
            most = most_within(seen, window)
            worst[vendor_of[hook]][window] = max(worst[vendor_of[hook]].get(window, 0), most)
            if most > limit:
                over_limit.append((hook, window, most, limit))
    print(f"outbox states: {dict(states)}; most posts per bot and window (s): {dict(worst)}")
    print(
        f"bots above their limit: {over_limit or 'none'}; posts naming no request: {unrecognised}"
    )
    reached = received + listed
    figures = {
        "events": len(events),
        "destinations": len(vendor_of),
        "delivered": len(reached),
        "duplicates": sum(times - 1 for times in reached.values()),
        "max_per_minute_per_destination": max(most_within(seen, 60) for seen in times.values()),
        "seconds": round(seconds, 1),
        "posted_alone": len(received),
        "folded": len(set(listed) - set(received)),
        "summaries": summaries,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
