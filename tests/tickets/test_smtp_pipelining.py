"""SMTP PIPELINING (RFC 2920): to a server that offers it, each alert e-mail's MAIL, RCPT and DATA
go in one write. The e-mails that arrive are, byte for byte, those sent without it, and a refused
sender or recipient fails that one e-mail while the batch goes on."""

import smtplib

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

from tests.support.clock import at
from tests.support.smtp import Recorder, free_port, send_email_to
from tickets.mail import send_batch
from tickets.models import Notification


class Transcript(Recorder):
    """Keeps each message as it arrived (envelope and bytes, but for its multipart boundary, drawn
    at random each time the MIME text is built) and every read the server made off its
    connections (None where one ended); offers PIPELINING when told to."""

    def __init__(self, *, pipelining: bool):
        super().__init__()
        self.pipelining = pipelining
        self.envelopes: dict[str, tuple] = {}
        self.reads: list[bytes | None] = []

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # as aiosmtpd does when the handler has no EHLO hook
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")  # the last line, "250 HELP", ends the reply
        return responses

    async def handle_DATA(self, server, session, envelope):
        status = await super().handle_DATA(server, session, envelope)
        message = self.messages[-1]
        self.envelopes[message["Message-ID"]] = (
            envelope.mail_from,
            envelope.mail_options,
            envelope.rcpt_tos,
            envelope.rcpt_options,
            envelope.original_content.replace(message.get_boundary().encode(), b"BOUNDARY"),
        )
        return status


class RefusesRecipient(Transcript):
    """Refuses one address at RCPT; one that `takes_data_anyway` (a broken server) still answers
    the DATA that follows with 354."""

    def __init__(self, address: str, *, takes_data_anyway: bool = False):
        super().__init__(pipelining=True)
        self.address, self.takes_data_anyway = address, takes_data_anyway

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address != self.address or self.takes_data_anyway:
            envelope.rcpt_tos.append(address)
        return "550 no such user" if address == self.address else "250 OK"


class RefusesFirstSender(Transcript):
    """Refuses the first MAIL it is sent, and takes the others."""

    def __init__(self):
        super().__init__(pipelining=True)
        self.senders = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.senders += 1
        if self.senders == 1:
            return "550 sender refused"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"


class RecordingSMTP(SMTP):
    """aiosmtpd's server, giving its handler each read off the connection as it comes, and None
    when the connection ends."""

    def data_received(self, data: bytes) -> None:
        self.event_handler.reads.append(data)
        super().data_received(data)

    def connection_lost(self, error: Exception | None) -> None:
        self.event_handler.reads.append(None)
        super().connection_lost(error)


class RecordingController(Controller):
    def factory(self):
        return RecordingSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def serve(settings):
    """Start a real SMTP server with the given handler and point Django's SMTP backend at it, as
    test_mail_delivery's smtp_server does for its Recorder."""
    controllers = []

    def start(handler: Transcript) -> Transcript:
        controller = RecordingController(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        send_email_to(settings, controller.port)
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def commands(address: str, settings) -> list[bytes]:
    """MAIL, RCPT and DATA of an e-mail to `address`, as smtplib writes them."""
    return [
        f"mail FROM:{smtplib.quoteaddr(settings.DEFAULT_FROM_EMAIL)}\r\n".encode(),
        f"rcpt TO:{smtplib.quoteaddr(address)}\r\n".encode(),
        b"data\r\n",
    ]


def test_with_pipelining_the_emails_arrive_once_each_as_they_do_without(queued, serve, settings):
    rows = queued(at(23, 10, 1))
    ids = [row.pk for row in rows]
    plain = serve(Transcript(pipelining=False))
    assert send_batch(ids) == {"sent": 3, "failed": 0, "skipped": 0}
    Notification.objects.filter(pk__in=ids).update(
        state=Notification.State.PENDING, attempts=0, sent_at=None
    )  # the same outbox again, to a server that offers PIPELINING
    pipelined = serve(Transcript(pipelining=True))

    assert send_batch(ids) == {"sent": 3, "failed": 0, "skipped": 0}

    assert len(pipelined.messages) == 3
    assert set(pipelined.envelopes) == {row.message_id for row in rows}
    assert pipelined.envelopes == plain.envelopes
    for row in rows:
        mail, rcpt, data = commands(row.recipient.email, settings)
        assert mail + rcpt + data in pipelined.reads  # one write, one read
        assert {mail, rcpt, data} <= set(plain.reads)  # each once the one before was answered


@pytest.mark.parametrize(
    "takes_data_anyway, then",
    [(False, b"quit\r\n"), (True, None)],  # None: hung up at once, the message left unfinished
    ids=["data-refused", "data-taken"],
)
def test_a_refused_recipient_fails_that_email_alone_and_the_batch_goes_on(
    queued, serve, named, settings, takes_data_anyway, then
):
    staff, agent, head = named
    server = serve(RefusesRecipient(agent.email, takes_data_anyway=takes_data_anyway))
    rows = queued(at(23, 10, 1))

    counts = send_batch([row.pk for row in rows])

    assert counts == {"sent": 2, "failed": 1, "skipped": 0}
    pipelined = server.reads.index(b"".join(commands(agent.email, settings)))
    assert server.reads[pipelined + 1] == then
    assert server.addressed_to(agent.email) == []
    assert [len(server.addressed_to(person.email)) for person in (staff, head)] == [1, 1]
    alert_emails = Notification.objects.filter(pk__in=[row.pk for row in rows])
    refused = alert_emails.get(recipient=agent)
    assert (refused.state, refused.attempts) == (Notification.State.PENDING, 1)
    assert refused.last_error.startswith("SMTPRecipientsRefused")
    assert "no such user" in refused.last_error
    assert alert_emails.filter(state=Notification.State.SENT).count() == 2


def test_a_refused_sender_fails_that_email_alone_and_the_batch_goes_on(queued, serve, settings):
    server = serve(RefusesFirstSender())
    rows = queued(at(23, 10, 1))

    counts = send_batch([row.pk for row in rows])

    assert counts == {"sent": 2, "failed": 1, "skipped": 0}
    alert_emails = Notification.objects.filter(pk__in=[row.pk for row in rows])
    (refused,) = alert_emails.filter(state=Notification.State.PENDING)
    assert refused.attempts == 1
    assert b"".join(commands(refused.recipient.email, settings)) in server.reads
    assert refused.last_error.startswith("SMTPSenderRefused: (550, b'sender refused'")
    sent = alert_emails.filter(state=Notification.State.SENT)
    assert sorted(server.envelopes) == sorted(row.message_id for row in sent)
    assert refused.message_id not in server.envelopes
