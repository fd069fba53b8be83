"""Each new breach and warning tells the provider's people and the requester once, in their
language, and nothing is sent about a target that no longer applies; through `mail.outbox`, with
the Celery tasks run inline.

The example: a P1 request filed Monday 09:00 (Shanghai) on the China office calendar: first
response due 10:00, its warning at 09:45."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Priority
from config.celery import app as celery_app
from departments.models import Profile
from outbox import sending
from outbox.models import Message
from tests.factories import MembershipFactory, UserFactory
from tests.support.alerts import alert_emails
from tests.support.clock import at
from tests.support.concurrency import run_at_once
from tickets import letters, services, tasks
from tickets.alerting.breach_scan import breach_scan
from tickets.models import Breach, Target, TargetWarning
from tickets.workflow import Action

SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def tasks_run_inline():
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def urgent(agreement, file_request, payroll_extract):
    return file_request(payroll_extract, title="Payroll", priority=Priority.P1)


@pytest.fixture
def scan(django_capture_on_commit_callbacks, clock_at):
    """Run the breach scan at an instant and its after-commit sending, as beat would."""

    def run(now):
        clock_at(now)
        with django_capture_on_commit_callbacks(execute=True):
            return breach_scan()

    return run


def recipients(subject_part: str = "") -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if subject_part in m.subject)


def test_a_breach_tells_the_provider_agents_and_head_and_the_requester(
    urgent, scan, staff, agent, head
):
    scan(at(23, 10) + SECOND)

    assert recipients("target missed") == sorted([staff.email, agent.email, head.email])


def test_a_breach_of_an_assigned_request_tells_the_assignee_and_the_requester(
    urgent, scan, staff, agent, head
):
    services.ticket_assign(ticket_id=urgent.pk, by=head, assignee=agent, expected_version=None)

    scan(at(23, 10) + SECOND)

    assert recipients("target missed") == sorted([staff.email, agent.email])


def test_a_warning_tells_the_same_people(urgent, scan, staff, agent, head):
    scan(at(23, 9, 45))

    assert recipients("at risk") == sorted([staff.email, agent.email, head.email])


def test_a_scan_run_twice_tells_each_person_once(urgent, scan, agent):
    scan(at(23, 10) + SECOND)
    scan(at(23, 10) + SECOND)

    assert len(mail.outbox) == 3
    assert Message.objects.filter(kind=letters.BREACH).count() == 3


def test_no_warning_is_sent_for_a_target_already_breached(urgent, scan, agent):
    scan(at(23, 10) + SECOND)  # the scan was down from 09:40: it finds both at once

    assert TargetWarning.objects.filter(target=Target.FIRST_RESPONSE).exists()
    assert recipients("at risk") == []
    assert len(recipients("target missed")) == 3


def test_nothing_is_sent_for_a_request_cancelled_before_sending(
    urgent, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sending:
        breach_scan(now=at(23, 10) + SECOND)
    services.ticket_transition(
        ticket_id=urgent.pk, by=staff, action=Action.CANCEL, expected_version=urgent.version
    )

    for callback in sending:
        callback()

    assert mail.outbox == []
    assert set(
        Message.objects.filter(kind=letters.BREACH).values_list("state", "cancel_reason")
    ) == {(Message.State.CANCELLED, Message.CancelReason.REQUEST_CLOSED)}


def test_nothing_is_sent_for_a_target_met_before_sending(
    urgent, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as sending:
        breach_scan(now=at(23, 9, 45))
    services.ticket_transition(
        ticket_id=urgent.pk, by=agent, action=Action.ACKNOWLEDGE, expected_version=urgent.version
    )

    for callback in sending:
        callback()

    assert mail.outbox == []
    warnings = Message.objects.filter(kind=letters.WARNING)
    assert set(warnings.values_list("cancel_reason", flat=True)) == {
        Message.CancelReason.TARGET_MET
    }


def test_a_pending_warning_is_not_sent_once_its_target_is_breached(
    urgent, scan, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():  # the warnings' task is lost
        breach_scan(now=at(23, 9, 45))
    scan(at(23, 10) + SECOND)

    warnings = Message.objects.filter(kind=letters.WARNING)
    counts = sending.send(warnings.values_list("pk", flat=True))

    assert counts["cancelled"] == warnings.count() == 2  # head and requester
    assert set(warnings.values_list("cancel_reason", flat=True)) == {Message.CancelReason.BREACHED}
    assert recipients("at risk") == []


def test_the_breach_email_says_which_target_when_it_was_due_and_how_late(urgent, scan, agent):
    scan(at(23, 11))

    email = next(m for m in mail.outbox if m.to == [agent.email])
    assert email.subject == f"[FIN-{urgent.pk}] Payroll: First response target missed"
    assert "due at 23 Nov 2026, 10:00 (Asia/Shanghai)" in email.body
    assert "1\xa0hour late" in email.body
    assert f"{settings.SITE_URL.rstrip('/')}/requests/{urgent.pk}/" in email.body


def test_the_warning_email_says_how_long_is_left(urgent, scan, agent):
    scan(at(23, 9, 45))

    email = next(m for m in mail.outbox if m.to == [agent.email])
    assert "in 15\xa0minutes" in email.body


def test_the_breach_email_is_written_in_the_recipients_language(urgent, scan, agent):
    Profile.objects.update_or_create(user=agent, defaults={"language": "zh-hans"})

    scan(at(23, 11))

    email = next(m for m in mail.outbox if m.to == [agent.email])
    assert "FIN-" in email.subject
    assert "Hello" not in email.body


def test_the_scan_and_its_notifications_run_a_bounded_number_of_statements(
    agreement, agent, file_request, payroll_extract
):
    for number in range(10):
        file_request(payroll_extract, title=f"#{number}", priority=Priority.P1)
    ContentType.objects.get_for_models(Breach, TargetWarning)  # as a running worker has cached

    with CaptureQueriesContext(connection) as queries:
        result = breach_scan(now=at(30, 9))

    assert len(result.breaches) == 20
    assert len(result.notifications) == 60  # agent, head and requester for each
    # The scan's own count leaves out the savepoints of the test's transaction.
    assert result.statements <= len(queries) <= result.statements + 4
    assert result.statements <= 25


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_tell_each_person_once(agreement, agent, file_request, payroll_extract):
    for number in range(5):
        file_request(payroll_extract, title=f"#{number}", priority=Priority.P1)

    outcomes = run_at_once(
        lambda: breach_scan(now=at(23, 10) + SECOND), lambda: breach_scan(now=at(23, 10) + SECOND)
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Breach.objects.count() == 5
    assert Message.objects.filter(kind=letters.BREACH).count() == 15
    assert len(recipients("target missed")) == 15


def test_alerts_left_unnotified_by_a_failed_step_are_told_once_by_the_next_scan(
    urgent, scan, monkeypatch, staff, agent, head
):
    def killed(*, now):
        raise RuntimeError("worker lost between the scan's commit and its notifications")

    monkeypatch.setattr("tickets.alerting.breach_scan.notify_new_alerts", killed)
    with pytest.raises(RuntimeError):
        scan(at(23, 10) + SECOND)
    breach = Breach.objects.get()  # committed with the scan, before the step failed
    assert breach.notified_at is None
    assert not Message.objects.filter(kind=letters.BREACH).exists()

    monkeypatch.undo()
    result = scan(at(23, 10, 1))  # the next scan: nothing new due, the alert still untold

    assert result.breaches == [] and len(result.notifications) == 3
    assert recipients("target missed") == sorted([staff.email, agent.email, head.email])
    breach.refresh_from_db()
    assert breach.notified_at == at(23, 10, 1)
    scan(at(23, 10, 2))
    assert len(recipients("target missed")) == 3


def test_alerts_already_notified_are_not_told_again(urgent, scan, agent):
    Breach.objects.create(
        ticket=urgent,
        target=Target.FIRST_RESPONSE,
        due_at=at(23, 10),
        detected_at=at(23, 10, 1),
        notified_at=at(23, 10, 1),
    )
    urgent.first_response_breached_at = at(23, 10, 1)  # as the scan that recorded it did
    urgent.save(update_fields=["first_response_breached_at"])

    scan(at(23, 11))

    assert not Message.objects.filter(kind=letters.BREACH).exists()


@pytest.mark.django_db(transaction=True)
def test_two_notification_steps_at_once_tell_each_person_once(
    agreement, agent, head, file_request, payroll_extract, monkeypatch
):
    from tickets.alerting.alerts import notify_new_alerts

    for number in range(5):
        file_request(payroll_extract, title=f"#{number}", priority=Priority.P1)
    monkeypatch.setattr("tickets.alerting.breach_scan.notify_new_alerts", lambda *, now: ([], 0))
    breach_scan(now=at(23, 10) + SECOND)  # the alerts recorded, their notifications not yet
    assert Breach.objects.filter(notified_at=None).count() == 5

    outcomes = run_at_once(
        lambda: notify_new_alerts(now=at(23, 10, 1)), lambda: notify_new_alerts(now=at(23, 10, 1))
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(len(sent) for sent, _statements in outcomes) == [0, 15]
    assert Message.objects.filter(kind=letters.BREACH).count() == 15
    assert len(recipients("target missed")) == 15
    assert not Breach.objects.filter(notified_at=None).exists()


@pytest.fixture
def head_in_digest_mode(head):
    Profile.objects.update_or_create(
        user=head,
        defaults={"deliveries": {"tickets.breach": "digest", "tickets.warning": "digest"}},
    )
    return head


@pytest.fixture
def two_breached(agreement, file_request, payroll_extract, head_in_digest_mode, scan):
    tickets = [
        file_request(payroll_extract, title=title, priority=Priority.P1)
        for title in ("Payroll", "Bonus")
    ]
    scan(at(23, 10, 1))
    return tickets


def test_a_digest_reader_is_not_sent_each_alert(two_breached, head_in_digest_mode, staff):
    assert head_in_digest_mode.email not in recipients()
    assert recipients().count(staff.email) == 2


def test_a_digest_reader_gets_one_email_an_hour_gathering_their_alerts(
    two_breached, head_in_digest_mode, django_capture_on_commit_callbacks, clock_at
):
    mail.outbox.clear()
    clock_at(at(23, 11))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_alert_digests()

    assert recipients() == [head_in_digest_mode.email]
    email = mail.outbox[0]
    assert email.subject == "Accord: 2 alerts in the last hour"
    for ticket in two_breached:
        assert f"{ticket.reference} {ticket.title}: missed" in email.body
    gathered = Message.objects.filter(recipient=head_in_digest_mode, kind=letters.BREACH)
    assert set(gathered.values_list("state", flat=True)) == {Message.State.SENT}


def test_running_the_digest_job_twice_sends_once(
    two_breached, head_in_digest_mode, django_capture_on_commit_callbacks, clock_at
):
    mail.outbox.clear()
    clock_at(at(23, 11))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.send_alert_digests()

    assert len(mail.outbox) == 1
    assert Message.objects.filter(kind=letters.DIGEST).count() == 1


def test_an_alert_queued_after_the_hour_waits_for_the_next_digest(
    two_breached, head_in_digest_mode, django_capture_on_commit_callbacks, clock_at
):
    clock_at(at(23, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_alert_digests()  # the digest of 10:00 gathers what came before 10:00

    assert head_in_digest_mode.email not in recipients()


def test_names_are_escaped_in_the_html_and_written_as_they_are_in_the_text(
    queued, smtp_server, named
):
    rows = queued(at(23, 10, 1))
    staff, agent, head = named

    assert sending.send([row.pk for row in rows])["sent"] == 3

    def shown(person):
        [message] = smtp_server.addressed_to(person.email)
        return (
            message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content(),
        )

    text, html = shown(staff)
    assert "Hello 森 李," in text and "Hello 森 李," in html
    text, html = shown(agent)
    assert 'Hello Ann <b>O\'Neil</b> & "Co",' in text
    assert "Hello Ann &lt;b&gt;O&#x27;Neil&lt;/b&gt; &amp; &quot;Co&quot;," in html
    assert "Payroll &amp; &lt;audit&gt;" in html and "<audit>" not in html
    text, html = shown(head)  # reads Chinese
    assert "芳 王" in text and "芳 王" in html
    assert "Hello" not in text


def test_each_of_many_recipients_of_one_alert_gets_their_own_email_once(
    queued, smtp_server, finance
):
    for number in range(60):  # more than a claim's chunk
        user = UserFactory(username=f"agent{number}", first_name="Agent", last_name=str(number))
        MembershipFactory(user=user, department=finance, role="agent")
    with pytest.raises(AssertionError):  # more e-mails than the cast's three
        queued(at(23, 10, 1))
    rows = list(alert_emails())
    assert len(rows) == 63

    assert sending.send([row.pk for row in rows])["sent"] == 63

    greetings = {
        message["To"]: message.get_body(("plain",)).get_content().splitlines()[0]
        for message in smtp_server.messages
    }
    assert len(smtp_server.messages) == len(greetings) == 63
    assert greetings["agent7@accord.test"] == "Hello Agent 7,"
    assert {message["Message-ID"] for message in smtp_server.messages} == {
        row.message_id for row in rows
    }


def test_a_scans_alerts_are_sent_in_batches_each_once(
    urgent, scan, monkeypatch, staff, agent, head
):
    monkeypatch.setattr("outbox.services.BATCH", 2)  # three e-mails: two tasks

    scan(at(23, 10, 1))
    scan(at(23, 10, 1))

    sent = alert_emails(Message.State.SENT)
    assert sorted(row.recipient.email for row in sent) == sorted(
        [staff.email, agent.email, head.email]
    )
    assert sorted(m.extra_headers["Message-ID"] for m in mail.outbox) == sorted(
        row.message_id for row in sent
    )
    assert set(sent.values_list("attempts", flat=True)) == {1}
