"""The SSRF check is made when connecting, on the address connected to (common/safe_http.py):
a name that answers a public address to an earlier look-up and loopback to the next one (DNS
rebinding) is refused before any byte reaches loopback, by the outbox and by the "send a test
event" button. Where an administrator allows private addresses, a name is connected to through
the address its one look-up answered."""

import socket
import ssl
import subprocess
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse

from common.addresses import Refused
from common.safe_http import vetted_addresses
from outbox.models import Message
from tests.support.clock import MONDAY_9AM
from tests.webhooks.support import send_all, subscribe, webhook_messages

PUBLIC = "93.184.215.14"
REAL_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def dns(monkeypatch):
    """Made-up names, each answering its list of answers in turn (the last one from then on),
    an answer being a list of addresses; any other name is resolved as usual."""
    answers: dict[str, list[list[str]]] = {}
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        asked.append(host)
        turns = answers[host]
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
        return [(*tcp, (address, int(port))) for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(answers=answers, asked=asked)


@pytest.fixture
def connections(monkeypatch):
    """Every address a socket of this process connects to; the made-up public address refuses
    the connection (no test reaches the network)."""
    made = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        made.append(address)
        if address[0] == PUBLIC:
            raise ConnectionRefusedError(f"{PUBLIC} stands for a public host that is down")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return made


@pytest.fixture
def private_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


def port_of(receiver) -> int:
    return int(receiver.url.split(":")[2].split("/")[0])


def reached(connections, receiver) -> bool:
    return any(address[1] == port_of(receiver) for address in connections)


def test_a_name_rebound_to_loopback_after_a_public_answer_is_refused_when_connecting(
    agreement, head, finance, file_request, payroll_extract, receiver, private_refused, dns,
    connections, clock_at,
):  # fmt: skip
    dns.answers["hooks.rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    webhook.url = f"https://hooks.rebind.test:{port_of(receiver)}/accord"
    webhook.save()
    file_request(payroll_extract)

    # One look-up, and the connection is made to what it answered: the public address (down).
    # A check before connecting, then a look-up of its own by `requests`, would have connected
    # to the second answer, loopback.
    send_all(webhook)
    [message] = webhook_messages(webhook)
    assert (message.state, message.attempts) == (Message.State.PENDING, 1)
    assert dns.asked == ["hooks.rebind.test"]
    assert [address[0] for address in connections if address[1] == port_of(receiver)] == [PUBLIC]

    # Tried again, the name answers loopback: refused for good, nothing sent there.
    clock_at(MONDAY_9AM + timedelta(minutes=1))
    send_all(webhook)
    message.refresh_from_db()
    assert message.state == Message.State.FAILED
    assert "hooks.rebind.test resolves to 127.0.0.1, which is not public" in message.last_error
    assert ("127.0.0.1", port_of(receiver)) not in connections
    assert receiver.received == []


def test_the_test_button_refuses_a_name_resolving_to_loopback(
    client, head, finance, receiver, private_refused, connections
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    webhook.url = f"https://localhost:{port_of(receiver)}/accord"
    webhook.save()
    client.force_login(head)
    response = client.post(reverse("webhooks:test", args=[webhook.pk]))
    outcome = response.context["outcome"]
    assert outcome.refused
    assert "localhost resolves to" in outcome.error
    assert not reached(connections, receiver)
    assert receiver.received == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(private_refused, dns):
    dns.answers["mixed.test"] = [[PUBLIC, "10.0.0.8"]]
    with pytest.raises(Refused, match=r"10\.0\.0\.8"):
        vetted_addresses("mixed.test", 443)


def test_plain_http_is_refused_before_connecting(
    client, head, finance, receiver, private_refused, connections
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])  # http://127.0.0.1:…
    client.force_login(head)
    outcome = client.post(reverse("webhooks:test", args=[webhook.pk])).context["outcome"]
    assert outcome.refused and "only https" in outcome.error
    assert not reached(connections, receiver)


def test_where_private_addresses_are_allowed_a_name_is_reached_through_its_one_look_up(
    agreement, head, finance, file_request, payroll_extract, receiver, dns, connections
):
    dns.answers["receiver.internal.test"] = [["127.0.0.1"], [PUBLIC]]
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    webhook.url = f"http://receiver.internal.test:{port_of(receiver)}/accord"
    webhook.save()
    file_request(payroll_extract)
    send_all(webhook)

    [received] = receiver.received
    assert received.verified
    assert received.headers["host"] == f"receiver.internal.test:{port_of(receiver)}"
    assert dns.asked == ["receiver.internal.test"]  # not resolved again to connect
    assert ("127.0.0.1", port_of(receiver)) in connections
    assert webhook_messages(webhook)[0].state == Message.State.SENT


@pytest.fixture
def tls_server(tmp_path):
    """A TLS server on loopback with a self-signed certificate for hooks.tls.test, recording
    the name each client asks for (SNI)."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", key, "-out", cert, "-subj", "/CN=hooks.tls.test",
         "-addext", "subjectAltName=DNS:hooks.tls.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names = []
    context.sni_callback = lambda _sock, name, _context: names.append(name)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def handshake():
        try:
            sock, _ = listener.accept()
            with context.wrap_socket(sock, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass  # the client refuses the certificate

    thread = threading.Thread(target=handshake, daemon=True)
    thread.start()
    yield SimpleNamespace(port=listener.getsockname()[1], names=names)
    thread.join(5)
    listener.close()


def test_tls_is_verified_and_sni_names_the_host_not_the_address_connected_to(
    client, head, finance, receiver, dns, tls_server
):
    dns.answers["hooks.tls.test"] = [["127.0.0.1"]]
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    webhook.url = f"https://hooks.tls.test:{tls_server.port}/accord"
    webhook.save()
    client.force_login(head)
    outcome = client.post(reverse("webhooks:test", args=[webhook.pk])).context["outcome"]
    assert "CERTIFICATE_VERIFY_FAILED" in outcome.error  # self-signed: not trusted
    assert tls_server.names == ["hooks.tls.test"]
