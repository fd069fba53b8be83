"""A receiver of webhooks on loopback, started by the test: it verifies every payload's
signature with the `standardwebhooks` package (not with Accord's code) and answers what the
test scripts: a status code, or silence for a while (a time-out)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError


@dataclass
class Received:
    headers: dict
    payload: dict | None
    verified: bool


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""
    # What to answer next, in order (a status code, or ("silent", seconds)); then 200.
    answers: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def answer(self, *answers) -> None:
        self.answers.extend(answers)

    @property
    def verified(self) -> list[dict]:
        return [item.payload for item in self.received if item.verified]


class Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            payload, verified = Verifier(self.receiver.secret).verify(body, headers), True
        except WebhookVerificationError:
            payload, verified = json.loads(body or b"null"), False
        self.receiver.received.append(Received(headers, payload, verified))
        answer = self.receiver.answers.pop(0) if self.receiver.answers else 200
        if isinstance(answer, tuple):
            time.sleep(answer[1])
            answer = 200
        self.send_response(answer)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    state = Receiver()
    handler = type("BoundHandler", (Handler,), {"receiver": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/accord"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    """The receiver listens on loopback, over plain HTTP: allowed here as an administrator
    would allow an internal receiver. The SSRF tests set it back."""
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 0.5
