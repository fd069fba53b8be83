"""The benchmark's SMTP server (`bench/notify.py`): its DATA command reads a message in one go
rather than a line at a time, and must answer and hand the handler exactly what stock aiosmtpd
does. The same conversations, sent to both, must get the same replies and the same envelopes."""

import socket
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from notify import BulkDataController

LONG_BODY = b"".join(
    b"Line %d of a long body, \xe5\xbb\xb6\xe8\xbf\x9f, some ending with a dot%s\r\n"
    % (n, b"." if n % 3 else b"")
    for n in range(60)
)
MESSAGES = {
    "empty data": b".\r\n",
    "one empty line": b"\r\n.\r\n",
    "empty body": b"Subject: nothing\r\nMessage-ID: <1@accord.test>\r\n\r\n.\r\n",
    "dots": b"Subject: dots\r\n\r\n..starts with a dot\r\n...two\r\n..\r\n"
    b"ends with a dot.\r\n.not stuffed\r\n\r\n.\r\n",
    "bare CR and LF": b"a\nb\r\n.\n\r\nc\r.\r\n\r\n.\r\n",
    "CR first": b"\r\r\n.\r\n",
    "a dot": b"..\r\n.\r\n",
    "a dot and CR": b".\r\r\n\r\n.\r\n",
    "long": b"Subject: long\r\n\r\n" + LONG_BODY + b"x" * 998 + b"\r\n.\r\n",
    "line too long": b"Subject: wide\r\n\r\n" + b"y" * 1500 + b"\r\n.\r\n",
    "over the size limit": b"Subject: big\r\n\r\n" + LONG_BODY * 3 + b".\r\n",
}


class Keeper:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(
            (envelope.mail_from, envelope.rcpt_tos, envelope.content, envelope.original_content)
        )
        return "250 Kept"


def conversation(port: int) -> list[bytes]:
    """Every message of MESSAGES (and bad DATA commands), its data sent in pieces (of 2 bytes if
    short, else 512); the last one's end of data goes in one write with QUIT. The server's
    replies, in order."""
    steps = [(b"EHLO client.test\r\n", 1), (b"MAIL FROM:<a@accord.test>\r\n", 1)]
    steps += [(b"DATA\r\n", 1), (b"RCPT TO:<b@accord.test>\r\n", 1), (b"DATA now\r\n", 1)]
    steps = [(sent, replies, 512) for sent, replies in steps]
    for n, data in enumerate(MESSAGES.values()):
        if n:
            steps.append((b"MAIL FROM:<a@accord.test>\r\n", 1, 512))
            steps.append((b"RCPT TO:<c@accord.test>\r\n", 1, 512))
        steps.append((b"DATA\r\n", 1, 512))
        piece = 2 if len(data) < 100 else 512
        steps.append((data, 1, piece) if n < len(MESSAGES) - 1 else (data + b"QUIT\r\n", 2, 512))
    replies = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        incoming = connection.makefile("rb")
        replies.append(incoming.readline())
        for sent, expected, piece in steps:
            for start in range(0, len(sent), piece):
                connection.sendall(sent[start : start + piece])
                time.sleep(0.001)
            for _ in range(expected):
                while (line := incoming.readline())[3:4] == b"-":
                    replies.append(line)
                replies.append(line)
    return replies


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"decode_data": True},
        {"decode_data": True, "enable_SMTPUTF8": False},  # the UTF-8 messages refused
        {"data_size_limit": 6000},
    ],
    ids=["bytes", "decoded", "ascii", "size limit"],
)
def test_bulk_data_server_answers_and_keeps_what_stock_aiosmtpd_does(options):
    seen = {}
    for name, controller_class in [("stock", Controller), ("bulk", BulkDataController)]:
        handler = Keeper()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = controller_class(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        try:
            seen[name] = (conversation(port), handler.envelopes)
        finally:
            controller.stop()
    assert seen["bulk"] == seen["stock"]
    replies, envelopes = seen["bulk"]
    assert len(envelopes) >= 5  # most messages reached the handler, once each
    assert replies[-1].startswith(b"221")
