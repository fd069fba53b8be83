"""Benchmark of sending the outbox: K breach e-mails (one request, one breach, K recipients) sent
by the real sending task, `tickets.tasks.send_notification_batch`, to a local SMTP server.

Run from the repository root (it drops and recreates its own database):

    .venv/bin/python bench/notify.py --emails 10000
    .venv/bin/python bench/notify.py --emails 10000 --per-alert 3 --processes 2

`--per-alert N` spreads the e-mails over K/N breaches of as many requests, N recipients each, as
a scan's e-mails are (the assignee or the agents and head, and the requester); `--processes P`
sends the batches from P processes at once, each with its own database and SMTP connections, as a
Celery worker with concurrency P does.

The SMTP server (aiosmtpd) runs in a child process, as a real one would run apart from the
worker, and counts the messages it accepts and the Message-IDs it sees more than once. It offers
PIPELINING (RFC 2920), as Postfix does and aiosmtpd by itself does not, so that each e-mail's
MAIL, RCPT and DATA go in one round trip; `--no-pipelining` measures without. The last line
printed is JSON.
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
    """Accepts every message; keeps only its Message-ID. Offers PIPELINING if told to."""

    def __init__(self, *, pipelining: bool):
        self.message_ids: Counter[bytes | None] = Counter()
        self.pipelining = pipelining

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # as aiosmtpd does when the handler has no EHLO hook
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")  # the last line, "250 HELP", ends the reply
        return responses

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.content.partition(b"\r\n\r\n")[0])
        self.message_ids[found and found[1]] += 1
        return "250 Message accepted for delivery"


def serve_smtp(pipe, pipelining: bool) -> None:
    """In the child process: serve on a free port, say which, and report the counts when told."""
    from aiosmtpd.controller import Controller

    handler = CountingHandler(pipelining=pipelining)
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
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1_000, help="ids per task call")
    parser.add_argument("--per-alert", type=int, default=0, help="recipients per breach (0: all)")
    parser.add_argument("--processes", type=int, default=1, help="batches sent side by side")
    parser.add_argument(
        "--no-pipelining",
        dest="pipelining",
        action="store_false",
        help="the SMTP server does not offer PIPELINING",
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    pipe, child_pipe = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=serve_smtp, args=(child_pipe, args.pipelining), daemon=True
    )
    server.start()
    port = pipe.recv()
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    recreate_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    from tickets.tasks import send_notification_batch

    call_command("migrate", verbosity=0)
    ids = create_notifications(args.emails, per_alert=args.per_alert or args.emails)
    print(f"{args.emails:,} e-mails queued; SMTP server on port {port}")

    batches = [ids[start : start + args.batch] for start in range(0, len(ids), args.batch)]
    counts: Counter[str] = Counter()
    if args.processes == 1:
        began = time.perf_counter()
        for batch in batches:
            counts.update(send_notification_batch(batch))
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
        "per_alert": args.per_alert or args.emails,
        "processes": args.processes,
        "pipelining": args.pipelining,
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
    from tickets.tasks import send_notification_batch

    return send_notification_batch(batch)


def create_notifications(count: int, *, per_alert: int) -> list[int]:
    """Open requests with a missed first response each, and `count` pending e-mails about their
    breaches, `per_alert` per breach, each to another person (one breach e-mail per person is
    all the outbox allows)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agreements.models import Agreement, BusinessCalendar, Service
    from departments.models import Department
    from tickets.models import Breach, Notification, Status, Target, Ticket

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
    notifications = []
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
        notifications += Notification.objects.bulk_create(
            Notification(
                ticket=ticket, kind=Notification.Kind.BREACH, recipient=user, breach=breach
            )
            for user in recipients[first : first + per_alert]
        )
    return [notification.pk for notification in notifications]


if __name__ == "__main__":
    main()
