"""A chat app that is down (its server stopped: the connection is refused) when a message is
sent: the post fails and waits out its back-off; once the server is up again on the same port
and the back-off is over, the message is delivered, once."""

import threading
from datetime import timedelta
from http.server import ThreadingHTTPServer

from django.utils import timezone

from outbox import sending
from outbox.models import Message


def chat_messages():
    return Message.objects.filter(destination_id__isnull=False).order_by("pk")


def send_all():
    return sending.send(list(chat_messages().values_list("pk", flat=True)))


def stop(vendor) -> int:
    port = vendor.server.server_port
    vendor.server.shutdown()
    vendor.server.server_close()
    return port


def start_again(vendor, port: int) -> None:
    """The same stand-in (its handler and what it has received) listening on the same port; the
    `vendor` fixture stops it at the end."""
    vendor.server = ThreadingHTTPServer(("127.0.0.1", port), vendor.server.RequestHandlerClass)
    vendor.server.daemon_threads = True
    threading.Thread(target=vendor.server.serve_forever, daemon=True).start()


def test_a_stopped_chat_server_is_retried_with_back_off_and_delivered_once_when_up_again(
    vendor, make_bot, agreement, finance, file_request, payroll_extract, clock_at
):
    make_bot(finance, "dingtalk", secret="SEC-signing-secret")
    ticket = file_request(payroll_extract)
    port = stop(vendor)

    assert send_all()["failed"] == 1
    message = chat_messages().get()
    assert (message.state, message.attempts) == ("pending", 1)
    assert message.retry_at is not None and message.retry_at > timezone.now()
    assert "ConnectionError" in message.last_error
    assert vendor.requests == 0

    start_again(vendor, port)
    assert send_all()["skipped"] == 1  # up again, but not before the back-off is over
    assert vendor.requests == 0

    clock_at(message.retry_at + timedelta(seconds=1))
    assert send_all()["sent"] == 1
    assert send_all()["skipped"] == 1
    assert vendor.problems == []
    [(name, _hook, _body)] = vendor.received
    assert name == "dingtalk"
    assert ticket.reference in vendor.texts()[0]
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)
