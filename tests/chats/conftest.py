"""The fixtures of the group chat tests: `vendor`, the loopback stand-in for the five chat apps
(tests.support.chat_vendor), and `make_bot`."""

from __future__ import annotations

import threading

import pytest

from chats import delivery
from chats.models import ChatBot
from tests.support.chat_vendor import ALL_KINDS, Vendor


@pytest.fixture
def vendor(monkeypatch, settings):
    # The stand-in apps listen on loopback, which bots may reach only when allowed.
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    server = Vendor()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(delivery, "TIMEOUT", (1, 0.5))
    yield server
    server.release.set()
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def make_bot(vendor, head):
    def make(department, vendor_name="dingtalk", *, hook=None, secret="", kinds=None, **fields):
        hook = hook or f"{vendor_name}-{department.code}-{ChatBot.objects.count()}"
        if secret:
            vendor.secrets[hook] = secret
        return ChatBot.objects.create(
            department=department,
            vendor=vendor_name,
            name=f"{department.name} {vendor_name}",
            address=vendor.address(vendor_name, hook),
            secret=secret,
            kinds=ALL_KINDS if kinds is None else kinds,
            created_by=head,
            **fields,
        )

    return make
