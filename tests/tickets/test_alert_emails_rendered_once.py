"""The e-mails of one alert are rendered once per language and written out for each recipient:
each recipient still gets exactly the e-mail build_message makes for them alone, in their
language, text and HTML, through mail.outbox and through a real SMTP server (where the MIME text
too is built once and given each recipient's name, address and Message-ID).

The example: a P1 request filed Monday 09:00 (Shanghai): first response due 10:00, its warning at
09:45; names that need escaping in HTML, a Chinese name, one reader in Chinese."""

import email
from email import policy

import pytest
from django.core import mail
from django.test.signals import template_rendered

from agreements.models import Agreement, Priority
from config.celery import app as celery_app
from departments.models import Membership, preferred_language
from tests.factories import MembershipFactory, UserFactory
from tests.support.alerts import alert_emails
from tests.support.clock import HOUR, at
from tickets import alerts
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.escalation import escalate_breaches
from tickets.letters import build_message
from tickets.mail import BATCH_CHUNK, send_batch
from tickets.models import Notification


def alone(notification: Notification):
    """The e-mail as build_message makes it for this one notification."""
    notification = Notification.objects.get(pk=notification.pk)
    return build_message(notification, language=preferred_language(notification.recipient))


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=policy.default)


def shown(message: email.message.EmailMessage) -> dict:
    """What a reader sees: the headers that matter and the text and HTML, decoded (line ends as
    written, whether the message came over SMTP or not)."""
    return {
        **{name: message[name] for name in ("Subject", "From", "To", "Message-ID")},
        "Auto-Submitted": message["Auto-Submitted"],
        "text": message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        "html": message.get_body(("html",)).get_content().replace("\r\n", "\n"),
    }


@pytest.mark.parametrize("instant", [at(23, 9, 45), at(23, 10, 1)], ids=["warning", "breach"])
def test_each_recipient_gets_the_email_made_for_them_alone(queued, instant):
    rows = queued(instant)

    assert send_batch([row.pk for row in rows]) == {"sent": 3, "failed": 0, "skipped": 0}

    sent = {message.extra_headers["Message-ID"]: message for message in mail.outbox}
    assert set(sent) == {row.message_id for row in rows}
    for row in rows:
        expected, message = alone(row), sent[row.message_id]
        assert (message.subject, message.to, message.extra_headers) == (
            expected.subject,
            expected.to,
            expected.extra_headers,
        )
        assert message.body == expected.body
        assert message.alternatives == expected.alternatives


@pytest.mark.parametrize("instant", [at(23, 9, 45), at(23, 10, 1)], ids=["warning", "breach"])
def test_through_smtp_each_recipient_gets_the_email_made_for_them_alone(
    queued, smtp_server, instant
):
    rows = queued(instant)

    assert send_batch([row.pk for row in rows]) == {"sent": 3, "failed": 0, "skipped": 0}

    received = {message["Message-ID"]: shown(message) for message in smtp_server.messages}
    assert set(received) == {row.message_id for row in rows}
    for row in rows:
        assert received[row.message_id] == shown(parsed(alone(row)))


def test_names_are_escaped_in_html_and_written_as_they_are_in_text(queued, smtp_server, named):
    rows = queued(at(23, 10, 1))
    staff, agent, head = named

    send_batch([row.pk for row in rows])

    to_staff = shown(smtp_server.addressed_to(staff.email)[0])
    assert "Hello 森 李," in to_staff["text"] and "Hello 森 李," in to_staff["html"]
    to_agent = shown(smtp_server.addressed_to(agent.email)[0])
    assert 'Hello Ann <b>O\'Neil</b> & "Co",' in to_agent["text"]
    assert "Hello Ann &lt;b&gt;O&#x27;Neil&lt;/b&gt; &amp; &quot;Co&quot;," in to_agent["html"]
    to_head = shown(smtp_server.addressed_to(head.email)[0])
    assert "芳 王" in to_head["text"] and "芳 王" in to_head["html"]
    assert "Hello" not in to_head["text"]


def test_an_alerts_email_is_rendered_once_per_language(queued, smtp_server, named):
    rows = queued(at(23, 10, 1))
    rendered = []

    def count(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        send_batch([row.pk for row in rows])
    finally:
        template_rendered.disconnect(count)

    # Three recipients, two of them in English: two renderings of each template.
    assert rendered.count("emails/tickets/breach-body.txt") == 2
    assert rendered.count("emails/tickets/breach-body.html") == 2
    assert rendered.count("emails/tickets/breach-subject.txt") == 2
    assert len(smtp_server.messages) == 3
    # And the MIME text once: the two English e-mails share their multipart boundary.
    boundaries = {message["To"]: message.get_boundary() for message in smtp_server.messages}
    staff, agent, head = named
    assert boundaries[staff.email] == boundaries[agent.email] != boundaries[head.email]


def test_many_recipients_of_one_alert_each_get_their_own_email_once(
    queued, smtp_server, agent, finance
):
    for number in range(BATCH_CHUNK + 10):  # past one chunk
        user = UserFactory(username=f"agent{number}", first_name="Agent", last_name=str(number))
        MembershipFactory(user=user, department=finance, role=Membership.Role.AGENT)
    with pytest.raises(AssertionError):  # more e-mails than the cast's three
        queued(at(23, 10, 1))
    rows = list(alert_emails())
    assert len(rows) == BATCH_CHUNK + 13

    send_batch([row.pk for row in rows])

    greetings = {
        message["To"]: message.get_body(("plain",)).get_content().splitlines()[0]
        for message in smtp_server.messages
    }
    assert len(smtp_server.messages) == len(greetings) == len(rows)
    assert greetings["agent7@accord.test"] == "Hello Agent 7,"
    assert {message["Message-ID"] for message in smtp_server.messages} == {
        row.message_id for row in rows
    }


@pytest.fixture
def escalation_email(named, agreement, company, file_request, payroll_extract, clock_at):
    """The level 2 escalation to the head above Finance, waiting in the outbox."""
    Agreement.objects.filter(pk=agreement.pk).update(escalation_after=2 * HOUR)
    ceo = UserFactory(username="ceo", first_name="Wei & Co", last_name="<Zhang>")
    MembershipFactory(user=ceo, department=company, role=Membership.Role.HEAD)
    file_request(payroll_extract, title="Payroll", priority=Priority.P1)
    clock_at(at(23, 10, 1))
    breach_scan()
    escalate_breaches()
    clock_at(at(23, 12, 1))
    escalate_breaches()
    rows = list(Notification.objects.filter(kind=Notification.Kind.ESCALATION))
    assert [row.recipient for row in rows] == [ceo]
    return rows


def test_the_escalation_email_is_the_one_made_for_the_head_alone(escalation_email, smtp_server):
    send_batch([row.pk for row in escalation_email])

    (received,) = smtp_server.messages
    assert shown(received) == shown(parsed(alone(escalation_email[0])))


@pytest.fixture
def tasks_run_inline():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def test_a_scans_alerts_are_sent_in_batches_each_once(
    agreement, named, file_request, payroll_extract, clock_at, monkeypatch, tasks_run_inline,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    monkeypatch.setattr(alerts, "ALERT_BATCH", 2)  # three e-mails: two tasks
    file_request(payroll_extract, title="Payroll", priority=Priority.P1)
    clock_at(at(23, 10, 1))

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            breach_scan()

    sent = alert_emails(Notification.State.SENT)
    assert sorted(row.recipient.email for row in sent) == sorted(p.email for p in named)
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        row.message_id for row in sent
    )
    assert set(sent.values_list("attempts", flat=True)) == {1}
