"""Benchmark of sending the outbox: K breach e-mails, three recipients per breach (the assignee
or the agents and head, and the requester, as a scan writes them), sent by the real sending
task, `outbox.tasks.send_messages`, through Django's SMTP backend to a local SMTP server.

Run from the repository root (it drops and recreates its own database):

    .venv/bin/python bench/notify.py --emails 3000
    .venv/bin/python bench/notify.py --emails 3000 --processes 2

`--per-alert N` changes the recipients per breach; `--processes P` sends the batches from P
processes at once, each with its own database and SMTP connections, as a Celery worker with
concurrency P does. The SMTP server (stock aiosmtpd) runs in a child process, as a real one runs
apart from the worker, and counts the messages it accepts and the Message-IDs it sees more than
once. The last line printed is JSON.
"""

import argparse
import json
import multiprocessing
import os
import re
import socket
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/accord_bench_notify"
# Found in the header block with a regular expression: parsing the headers with the email package
# cost the server, which shares the cores with the sender, 30 times as much (90 µs a message).
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S*)", re.MULTILINE | re.IGNORECASE)


class CountingHandler:
    """Accepts every message; keeps only its Message-ID."""

    def __init__(self):
        self.message_ids: Counter[bytes | None] = Counter()

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.content.partition(b"\r\n\r\n")[0])
        self.message_ids[found and found[1]] += 1
        return "250 Message accepted for delivery"


def serve_smtp(pipe) -> None:
    """In the child process: serve on a free port, say which, and report the counts when told."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    pipe.send(port)
    pipe.recv()  # the benchmark is done
    controller.stop()
    pipe.send(dict(handler.message_ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=3_000)
    parser.add_argument("--batch", type=int, default=100, help="ids per task call")
    parser.add_argument("--per-alert", type=int, default=3, help="recipients per breach")
    parser.add_argument("--processes", type=int, default=1, help="batches sent side by side")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    pipe, child_pipe = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_smtp, args=(child_pipe,), daemon=True)
    server.start()
    port = pipe.recv()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    from outbox.tasks import send_messages

    call_command("migrate", verbosity=0)
    ids = create_messages(args.emails, per_alert=args.per_alert)
    print(f"{args.emails:,} e-mails queued; SMTP server on port {port}")

    batches = [ids[start : start + args.batch] for start in range(0, len(ids), args.batch)]
    counts: Counter[str] = Counter()
    if args.processes == 1:
        began = time.perf_counter()
        for batch in batches:
            counts.update(send_messages(batch))
        seconds = time.perf_counter() - began
    else:
        from django.db import connections

        connections.close_all()  # each process opens its own
        with multiprocessing.Pool(args.processes) as pool:
            pool.map(warm_up, range(args.processes))  # imports done, as in a running worker
            began = time.perf_counter()
            for result in pool.imap_unordered(send, batches):
                counts.update(result)
            seconds = time.perf_counter() - began

    pipe.send("stop")
    message_ids = pipe.recv()
    server.join()
    received = sum(message_ids.values())
    duplicates = sum(seen - 1 for seen in message_ids.values())
    print(f"task results: {dict(counts)}; {received:,} received in {seconds:.2f} s, "
          f"{args.batch:,} per task call (one SMTP connection each), "
          f"{args.processes} process(es)")  # fmt: skip
    figures = {
        "emails": args.emails,
        "per_alert": args.per_alert,
        "processes": args.processes,
        "received": received,
        "seconds": round(seconds, 3),
        "per_s": round(received / seconds),
        "duplicates": duplicates,
    }
    print(json.dumps(figures))


def warm_up(_) -> None:
    """In a pool process: what a worker has loaded before its first task."""
    send([])


def send(batch: list[int]) -> dict:
    """In a pool process: one task call, as a worker process runs it."""
    from outbox.tasks import send_messages

    return send_messages(batch)


def create_messages(count: int, *, per_alert: int) -> list[int]:
    """Open requests with a missed first response each, and `count` pending e-mails about their
    breaches, `per_alert` per breach, each to another person."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agreements.models import Agreement, BusinessCalendar, Service
    from departments.models import Department
    from outbox.services import queue
    from tickets import letters
    from tickets.models import Breach, Status, Target, Ticket

    now = timezone.now()
    provider = Department.objects.create(code="FIN", name="Finance")
    customer = Department.objects.create(code="SALES", name="Sales")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"person{n}", email=f"person{n}@accord.test", password="!")
        for n in range(count + 1)
    )
    requester, recipients = users[0], users[1:]
    service = Service.objects.create(provider=provider, name="Payroll data extract")
    agreement = Agreement.objects.create(
        title="Finance services",
        provider=provider,
        calendar=BusinessCalendar.objects.create(name="China office"),
        status=Agreement.Status.ACTIVE,
        activated_at=now - timedelta(days=30),
        valid_from=(now - timedelta(days=30)).date(),
        created_by=requester,
    )
    messages = []
    for first in range(0, count, per_alert):
        ticket = Ticket.objects.create(
            title="October payroll",
            service=service,
            provider=provider,
            customer=customer,
            requester=requester,
            agreement=agreement,
            status=Status.IN_PROGRESS,
            filed_at=now - timedelta(hours=3),
            first_response_due_at=now - timedelta(hours=1),
            resolution_due_at=now + timedelta(days=1),
        )
        breach = Breach.objects.create(
            ticket=ticket,
            target=Target.FIRST_RESPONSE,
            agreement=agreement,
            due_at=ticket.first_response_due_at,
            detected_at=now,
        )
        messages += queue(letters.BREACH, breach, recipients[first : first + per_alert])
    return [message.pk for message in messages]


if __name__ == "__main__":
    main()
