"""Sending the notification outbox: claim a row with a conditional UPDATE, send, mark it sent."""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import escape
from psycopg import pq

from config.emails import make_message
from departments.models import Profile, preferred_language
from tickets.approval_links import approval_link_path
from tickets.models import Notification

logger = logging.getLogger(__name__)

# What an e-mail shows, read with the notification in one query: the request and its parties, the
# event, the approval step, and the alert (breach, warning or escalation) of an alert e-mail.
RELATED = (
    "ticket__provider",
    "ticket__customer",
    "ticket__service",
    "ticket__requester",
    "ticket__assignee",
    "ticket__agreement__calendar",
    "recipient",
    "event__actor",
    "approval",
    "breach",
    "warning",
    "escalation",
)

# A row left in "sending" longer than this belonged to a worker that died; it is sent again.
# Longer than any SMTP exchange takes, so that a live worker is never raced.
STALE_CLAIM = timedelta(minutes=10)
MAX_ATTEMPTS = 5


def send_notification(notification_id: int) -> str:
    now = timezone.now()
    claimable = Q(state=Notification.State.PENDING) | Q(
        state=Notification.State.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    claimed = Notification.objects.filter(
        claimable, pk=notification_id, attempts__lt=MAX_ATTEMPTS
    ).update(state=Notification.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    # The attempt counts at the claim, so a row whose sending kills its worker is bounded too.
    if claimed != 1:
        return "skipped"  # already sent, being sent by another worker, or given up
    notification = Notification.objects.select_related(*RELATED).get(pk=notification_id)
    try:
        build_message(notification).send()
    except Exception as error:
        attempts = notification.attempts
        Notification.objects.filter(pk=notification_id).update(
            state=Notification.State.FAILED
            if attempts >= MAX_ATTEMPTS
            else Notification.State.PENDING,
            attempts=attempts,
            last_error=f"{error.__class__.__name__}: {error}",
        )
        logger.warning("notification %s failed (attempt %s): %s", notification_id, attempts, error)
        return "failed"
    Notification.objects.filter(pk=notification_id).update(
        state=Notification.State.SENT, sent_at=timezone.now()
    )
    return "sent"


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


def requeue_unsent(enqueue: Callable[[int], object]) -> int:
    """Queue again every row still pending, or stuck in "sending" past STALE_CLAIM."""
    stale = timezone.now() - STALE_CLAIM
    ids = list(
        Notification.objects.filter(
            Q(state=Notification.State.PENDING)
            | Q(state=Notification.State.SENDING, claimed_at__lt=stale),
            attempts__lt=MAX_ATTEMPTS,
        ).values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


# How many rows send_batch claims at a time: a claim never waits long enough before its sending
# to go stale. Each row is marked sent right after its SMTP exchange, so a worker killed
# mid-batch leaves at most the one e-mail in flight to be sent again (same Message-ID).
BATCH_CHUNK = 100


def send_batch(notification_ids: list[int]) -> dict:
    """Send the claimable rows among `notification_ids` over one SMTP connection, claiming them
    by chunks of BATCH_CHUNK and marking each as soon as it is sent; rows already sent or
    claimed are skipped."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    smtp = get_connection()  # opened by the first message, so a refusal fails that message
    marks = SentMarks()
    try:
        for start in range(0, len(notification_ids), BATCH_CHUNK):
            chunk = notification_ids[start : start + BATCH_CHUNK]
            claimed = _claim(chunk)
            counts["skipped"] += len(chunk) - len(claimed)
            # Everything the chunk's e-mails show, in two queries for the whole chunk.
            notifications = list(
                Notification.objects.select_related(*RELATED).filter(pk__in=claimed)
            )
            languages = _languages(notifications)
            letters = Letters(smtp)  # an alert's e-mail is rendered once per chunk and language
            for notification in notifications:
                try:
                    letters.send(
                        notification,
                        language=languages[notification.recipient_id],
                        before_handover=marks.wait,
                    )
                except Exception as error:
                    marks.wait()
                    _return_to_pending(notification, error)
                    smtp.close()  # the next message opens a fresh connection
                    counts["failed"] += 1
                else:
                    marks.mark(notification.pk)
                    counts["sent"] += 1
            marks.wait()
    finally:
        try:
            marks.wait()
        finally:
            smtp.close()
    return counts


class SentMarks:
    """Marks each e-mail sent once the server has accepted it, and has the mark on record before
    the next e-mail is handed over (the end of its DATA): a worker killed at any moment leaves at
    most one e-mail delivered but not marked, the one in flight.

    On PostgreSQL the mark's UPDATE goes to the server at once and its reply is read just before
    the next hand-over, so that the commit overlaps the next e-mail's first SMTP round trips
    instead of adding to them. The statement bypasses Django's cursor (and its query log); the
    connection is Django's, so it is in the caller's transaction if there is one."""

    SQL = f"UPDATE {Notification._meta.db_table} SET state = $1, sent_at = $2 WHERE id = $3"

    def __init__(self):
        self.waiting = False

    def mark(self, notification_id: int) -> None:
        self.wait()
        if connection.vendor != "postgresql":
            _mark_sent(notification_id)
            return
        connection.connection.pgconn.send_query_params(
            self.SQL.encode(),
            [
                Notification.State.SENT.encode(),
                timezone.now().isoformat().encode(),
                str(notification_id).encode(),
            ],
        )
        self.waiting = True

    def wait(self) -> None:
        """Read the reply to the last mark; raise if it failed."""
        if not self.waiting:
            return
        self.waiting = False
        errors = []
        pgconn = connection.connection.pgconn
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                errors.append(result.error_message.decode(errors="replace"))
        if errors:
            raise DatabaseError(f"marking an e-mail sent failed: {'; '.join(errors)}")


def _mark_sent(notification_id: int) -> None:
    """What send_notification does once its e-mail is out, in plain SQL: run once per e-mail,
    building the same UPDATE through the ORM each time cost as much as the round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} SET state = %s, sent_at = %s WHERE id = %s",
            [Notification.State.SENT, timezone.now(), notification_id],
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
        """smtplib's sendmail of Django's SMTP backend, with a pause before the end of DATA."""
        client = self.smtp.connection
        client.ehlo_or_helo_if_needed()
        code, reply = client.mail(self.from_email)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, self.from_email)
        code, reply = client.rcpt(address)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({address: (code, reply)})
        code, reply = client.docmd("data")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
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


def _languages(notifications: list[Notification]) -> dict[int, str]:
    """Each recipient's language, as departments.models.preferred_language reads it, in one
    query for all of them."""
    recipients = {notification.recipient_id for notification in notifications}
    languages = dict.fromkeys(recipients, settings.LANGUAGE_CODE)
    languages.update(
        Profile.objects.filter(user_id__in=recipients).values_list("user_id", "language")
    )
    return languages


def _claim(notification_ids: list[int]) -> list[int]:
    """Claim the rows still to send among `notification_ids` in one conditional UPDATE, as
    send_notification claims one; return the ids claimed."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} "
            "SET state = %s, claimed_at = %s, attempts = attempts + 1 "
            f"WHERE id IN ({', '.join(['%s'] * len(notification_ids))}) AND attempts < %s "
            "AND (state = %s OR (state = %s AND claimed_at < %s)) RETURNING id",
            [
                Notification.State.SENDING,
                now,
                *notification_ids,
                MAX_ATTEMPTS,
                Notification.State.PENDING,
                Notification.State.SENDING,
                now - STALE_CLAIM,
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def _return_to_pending(notification: Notification, error: Exception) -> None:
    attempts = notification.attempts
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.FAILED if attempts >= MAX_ATTEMPTS else Notification.State.PENDING,
        last_error=f"{error.__class__.__name__}: {error}",
    )
    logger.warning("notification %s failed (attempt %s): %s", notification.pk, attempts, error)
