"""What each notification e-mail says: `build_message` for one notification, and `Letters`,
which renders the e-mail of one alert once per language for all of its recipients in a chunk."""

from __future__ import annotations

import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.utils.html import escape

from common.emails import make_message
from departments.models import preferred_language
from tickets.approval_links import approval_link_path
from tickets.models import Notification


def build_message(notification: Notification, *, language: str | None = None, recipient=None):
    """The e-mail of `notification`, in the recipient's language (`language` when the caller has
    already read it, as send_batch does for a whole chunk in one query); `recipient` stands in
    for the notification's when given."""
    recipient = recipient or notification.recipient
    ticket = notification.ticket
    approval = notification.approval
    context = {
        "notification": notification,
        "ticket": ticket,
        "recipient": recipient,
        "event": notification.event,
        "approval": approval,
        # Signed when sent, so the link's week of validity starts with the e-mail.
        "approval_link": approval_link_path(approval) if approval else "",
    }
    if notification.kind in {"breach", "warning", "escalation", "digest"}:
        from tickets.alerts import alert_context

        context.update(alert_context(notification))
    return make_message(
        f"tickets/{notification.kind}",
        recipient.email,
        context,
        language=language or preferred_language(recipient),
        headers={"Message-ID": notification.message_id, "Auto-Submitted": "auto-generated"},
    )


class Letters:
    """The e-mails of one chunk. The e-mails of one alert (breach, warning, escalation) differ
    from one recipient to the next only by the recipient's name in the greeting, the address and
    the Message-ID: each alert's e-mail is rendered once per language with a stand-in for the
    name, then given each recipient's name. Through Django's SMTP backend the MIME text is built
    once too, and each recipient's is the same bytes with the name, address and Message-ID
    written in; through any other backend (tests, the console) each is an EmailMessage."""

    def __init__(self, smtp):
        self.smtp = smtp
        self.drafts: dict[tuple, Draft] = {}
        # Django's own SMTP backend only: a subclass may do more with each message (sign it, say).
        self.raw_smtp = type(smtp) is SMTPBackend
        if self.raw_smtp:
            self.from_email = sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")

    def send(self, notification: Notification, *, language: str, before_handover) -> None:
        """Send the e-mail of `notification`, calling `before_handover` before the server can
        take it (before the end of its DATA)."""
        if notification.kind not in SHARED_KINDS:
            before_handover()
            self.smtp.open()  # a no-op unless a failure closed the connection
            self.smtp.send_messages([build_message(notification, language=language)])
            return
        key = (
            notification.kind,
            notification.ticket_id,
            notification.breach_id,
            notification.warning_id,
            notification.escalation_id,
            language,
        )
        draft = self.drafts.get(key)
        if draft is None:
            draft = self.drafts[key] = Draft(notification, language, mime=self.raw_smtp)
        recipient = notification.recipient
        name = recipient.get_full_name() or recipient.get_username()
        raw = draft.mime_for(name, recipient.email, notification.message_id)
        self.smtp.open()
        if raw is None:
            before_handover()
            self.smtp.send_messages([draft.message_for(name, notification)])
        else:
            self.sendmail(recipient.email, raw, before_handover)

    def sendmail(self, address: str, raw: bytes, before_handover) -> None:
        """smtplib's sendmail of Django's SMTP backend, with a pause before the end of DATA, and
        MAIL, RCPT and DATA in one round trip when the server offers PIPELINING. The end of
        DATA is never pipelined with what follows: each e-mail is confirmed before the next."""
        client = self.smtp.connection
        client.ehlo_or_helo_if_needed()
        if client.has_extn("pipelining"):
            self.begin_data_pipelined(client, address)
        else:
            self.begin_data(client, address)
        try:
            before_handover()
        except BaseException:
            client.close()  # mid-DATA: drop the connection, and the server drops the message
            raise
        data = re.sub(rb"(?m)^\.", b"..", raw)  # a line starting with a period gets a second
        client.send(data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        code, reply = client.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)

    def begin_data(self, client: smtplib.SMTP, address: str) -> None:
        """MAIL, RCPT and DATA, each sent once the one before is accepted."""
        check_sender(*client.mail(self.from_email), self.from_email)
        check_recipient(*client.rcpt(address), address)
        check_data(*client.docmd("data"))

    def begin_data_pipelined(self, client: smtplib.SMTP, address: str) -> None:
        """MAIL, RCPT and DATA in one write, then their three replies (RFC 2920): one round trip
        instead of three. After a refused MAIL or RCPT a server refuses the DATA too; one that
        takes it anyway is hung up on, so that nothing of the message is delivered."""
        commands = [
            f"mail FROM:{smtplib.quoteaddr(self.from_email)}",  # the bytes of client.mail()
            f"rcpt TO:{smtplib.quoteaddr(address)}",  # and of client.rcpt()
            "data",
        ]
        if any("\r" in command or "\n" in command for command in commands):
            raise ValueError(f"an address contains a line break: {commands}")
        client.send("".join(f"{command}\r\n" for command in commands))
        sender, recipient, data = (client.getreply() for _ in commands)
        try:
            check_sender(*sender, self.from_email)
            check_recipient(*recipient, address)
        except smtplib.SMTPException:
            if data[0] == 354:
                client.close()
            raise
        check_data(*data)


def check_sender(code: int, reply: bytes, sender: str) -> None:
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)


def check_recipient(code: int, reply: bytes, address: str) -> None:
    if code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({address: (code, reply)})


def check_data(code: int, reply: bytes) -> None:
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)


# Stand-ins for what differs between the recipients of one alert's e-mail: ASCII letters, which
# escaping leaves alone, and a non-ASCII one that makes each MIME part 8bit, as a part with the
# name of any recipient may need to be.
NAME = "\u00a4AccordRecipientName\u00a4"
TEXT_NAME, HTML_NAME = "\u00a4AccordTextName\u00a4", "\u00a4AccordHtmlName\u00a4"
ADDRESS, MESSAGE_ID = "accord-recipient@stand-in.invalid", "<accord-message-id@stand-in.invalid>"
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
SHARED_KINDS = {
    Notification.Kind.BREACH,
    Notification.Kind.WARNING,
    Notification.Kind.ESCALATION,
}


class StandIn:
    """The recipient while an alert's e-mail is rendered for all of its recipients: the alert
    templates show the recipient's name and nothing else of them."""

    pk = None
    email = ADDRESS

    def get_full_name(self) -> str:
        return NAME

    def get_username(self) -> str:
        return NAME


class Draft:
    """One alert's e-mail in one language, rendered with the stand-in for its recipient."""

    def __init__(self, notification: Notification, language: str, *, mime: bool):
        message = build_message(notification, language=language, recipient=StandIn())
        (self.html, _), *_ = message.alternatives
        self.subject, self.text, self.headers = message.subject, message.body, message.extra_headers
        self.raw = self.prototype() if mime and NAME not in self.subject else None

    def prototype(self) -> bytes | None:
        """The MIME text with stand-ins for the name (one in each part), the address and the
        Message-ID; None when one of them did not come out as written (a part encoded in
        quoted-printable, say), so that each e-mail is built whole instead."""
        message = EmailMultiAlternatives(
            self.subject,
            self.text.replace(NAME, TEXT_NAME),
            to=[ADDRESS],
            headers={**self.headers, "Message-ID": MESSAGE_ID},
        )
        message.attach_alternative(self.html.replace(NAME, HTML_NAME), "text/html")
        raw = message.message().as_bytes(linesep="\r\n")
        expected = {
            TEXT_NAME: self.text.count(NAME),
            HTML_NAME: self.html.count(NAME),
            ADDRESS: 1,
            MESSAGE_ID: 1,
        }
        if any(raw.count(mark.encode()) != count for mark, count in expected.items()):
            return None
        return raw

    def message_for(self, name: str, notification: Notification) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            self.subject,
            self.text.replace(NAME, name),
            to=[notification.recipient.email],
            headers={**self.headers, "Message-ID": notification.message_id},
        )
        message.attach_alternative(self.html.replace(NAME, escape(name)), "text/html")
        return message

    def mime_for(self, name: str, address: str, message_id: str) -> bytes | None:
        """The prototype with the recipient written in, when that gives what Django would have
        built: a plain ASCII address, a name on one short line."""
        html_name = escape(name)
        if (
            self.raw is None
            or not PLAIN_ADDRESS.fullmatch(address)
            or len(html_name.encode()) > 300
            or any(character in name for character in "\r\n\x00")
        ):
            return None
        return (
            self.raw.replace(ADDRESS.encode(), address.encode())
            .replace(MESSAGE_ID.encode(), message_id.encode())
            .replace(TEXT_NAME.encode(), name.encode())
            .replace(HTML_NAME.encode(), html_name.encode())
        )
