"""Who is told what about a request, in which language, and how the outbox sends each e-mail
once: through `mail.outbox`, with the Celery tasks run inline."""

import re
import socket
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from agreements.models import ApprovalStep, Priority
from config.celery import app as celery_app
from departments.models import Membership, Profile
from tests.factories import (
    CalendarFactory,
    MembershipFactory,
    ServiceFactory,
    UserFactory,
    agreement_in_force,
)
from tickets import services, tasks
from tickets.approval_links import approval_from_token
from tickets.mail import (
    MAX_ATTEMPTS,
    RETRY_BASE,
    RETRY_CAP,
    STALE_CLAIM,
    requeue_unsent,
    retry_delay,
    send_batch,
)
from tickets.models import Notification
from tickets.workflow import Action

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)
# Monday 23 November 2026, 09:00 in Shanghai: the China office calendar has just opened.
MONDAY_9AM = datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def tasks_run_inline():
    """Celery reads its settings once, when it is configured: switch the app itself."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(MONDAY_9AM, tick=False)
    return time_machine


@pytest.fixture
def payroll(finance):
    return ServiceFactory(provider=finance, name="Payroll data extract", default_priority="P2")


@pytest.fixture
def approving_cfo(company):
    return UserFactory(username="cfo", first_name="Jun", last_name="Qian")


@pytest.fixture
def purchase_with_approvals(finance, approving_cfo):
    """Purchases need the Finance head, then the CFO."""
    service = ServiceFactory(provider=finance, name="Purchase request")
    ApprovalStep.objects.create(
        service=service,
        position=1,
        approver=ApprovalStep.Approver.DEPARTMENT_HEAD,
        department=finance,
    )
    ApprovalStep.objects.create(
        service=service, position=2, approver=ApprovalStep.Approver.PERSON, person=approving_cfo
    )
    return service


@pytest.fixture
def finance_for_sales(finance, sales, head, payroll, purchase_with_approvals, frozen):
    return agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[payroll, purchase_with_approvals],
        targets={Priority.P2: (4 * HOUR, 8 * HOUR), Priority.P3: (8 * HOUR, 40 * HOUR)},
        calendar=CalendarFactory(name="China office"),
        windows={1: 8 * HOUR, 2: 16 * HOUR},
    )


@pytest.fixture
def file_and_send(staff, sales, payroll, finance_for_sales, django_capture_on_commit_callbacks):
    """File a request as `staff` and run what its commit queues (sending the e-mail)."""

    def file(service=payroll, title="October payroll", description=""):
        with django_capture_on_commit_callbacks(execute=True):
            return services.ticket_file(
                requester=staff,
                service=service,
                customer=sales,
                title=title,
                description=description,
            )

    return file


@pytest.fixture
def act_and_send(django_capture_on_commit_callbacks):
    def act_and_send(ticket, by, action, comment=""):
        with django_capture_on_commit_callbacks(execute=True):
            return services.ticket_transition(
                ticket_id=ticket.pk, by=by, action=action, expected_version=None, comment=comment
            )

    return act_and_send


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


# Who is told


def test_filing_tells_the_provider_agents_and_head(file_and_send, agent, head, finance):
    MembershipFactory(department=finance, role=Membership.Role.MEMBER)
    MembershipFactory(department=finance, role=Membership.Role.AGENT, user__is_active=False)
    MembershipFactory(department=finance, role=Membership.Role.AGENT, user__email="")

    file_and_send()

    assert recipients() == ["agent@accord.test", "head@accord.test"]


def test_a_service_with_approvals_asks_the_first_approver_only(
    file_and_send, purchase_with_approvals, agent, head, approving_cfo
):
    ticket = file_and_send(service=purchase_with_approvals)

    assert recipients() == ["head@accord.test"]
    assert (
        mail.outbox[0].subject == f"[{ticket.reference}] October payroll: your approval is needed"
    )


def test_the_next_approver_is_asked_after_the_first_approval(
    file_and_send, purchase_with_approvals, head, django_capture_on_commit_callbacks
):
    ticket = file_and_send(service=purchase_with_approvals)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(
            approval_id=ticket.approvals.get(position=1).pk, by=head, approve=True
        )

    assert recipients() == ["cfo@accord.test"]


def test_the_last_approval_tells_the_provider_agents_the_request_is_theirs(
    file_and_send,
    purchase_with_approvals,
    agent,
    head,
    approving_cfo,
    django_capture_on_commit_callbacks,
):
    ticket = file_and_send(service=purchase_with_approvals)
    with django_capture_on_commit_callbacks(execute=True):
        for step, approver in ((1, head), (2, approving_cfo)):
            approval = ticket.approvals.get(position=step)
            services.approval_decide(approval_id=approval.pk, by=approver, approve=True)
    mail.outbox = [message for message in mail.outbox if message.subject.endswith("new request")]

    assert recipients() == ["agent@accord.test", "head@accord.test"]
    assert "has been approved and is now in your department's queue" in mail.outbox[0].body


def test_the_approval_email_carries_a_signed_link_to_a_confirmation_page(
    file_and_send, purchase_with_approvals
):
    ticket = file_and_send(service=purchase_with_approvals)
    [message] = mail.outbox

    links = reverse("tickets:approval_link", args=["TOKEN"]).split("TOKEN")
    pattern = re.escape(django_settings.SITE_URL + links[0]) + r"([^/\s]+)" + re.escape(links[1])
    token = re.search(pattern, message.body).group(1)
    assert approval_from_token(token) == ticket.approvals.get(position=1)
    assert "opens a confirmation page" in message.body
    assert re.search(pattern, html_of(message)).group(1) == token


def test_asking_the_requester_tells_them_their_input_is_needed(file_and_send, act_and_send, agent):
    ticket = file_and_send()
    mail.outbox.clear()

    act_and_send(ticket, agent, Action.ASK, comment="Which cost centre should it go to?")

    [message] = mail.outbox
    assert message.to == ["staff@accord.test"]
    assert message.subject == f"[{ticket.reference}] October payroll: your input is needed"
    assert "Alex Huang wrote:\nWhich cost centre should it go to?" in message.body


def test_resolving_asks_the_requester_to_confirm_and_rate(file_and_send, act_and_send, agent):
    ticket = file_and_send()
    mail.outbox.clear()

    act_and_send(ticket, agent, Action.RESOLVE, comment="Extract attached.")

    [message] = mail.outbox
    assert message.to == ["staff@accord.test"]
    assert message.subject == (
        f"[{ticket.reference}] October payroll: resolved, please confirm and rate"
    )
    assert "confirm it and rate the service from 1 to 5" in message.body
    assert "Confirm and rate" in html_of(message)


def test_reopening_tells_the_assignee(file_and_send, act_and_send, staff, agent, head):
    ticket = file_and_send()
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    act_and_send(ticket, agent, Action.RESOLVE)
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.REOPEN, comment="The bonus column is missing.")

    assert recipients() == ["agent@accord.test"]
    assert "Sam Li has reopened a request assigned to you." in mail.outbox[0].body


def test_reopening_an_unassigned_request_tells_the_agents(
    file_and_send, act_and_send, staff, agent, head
):
    ticket = file_and_send()
    act_and_send(ticket, agent, Action.RESOLVE)
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.REOPEN)

    assert recipients() == ["agent@accord.test", "head@accord.test"]


def test_a_rejection_tells_the_requester_why(
    file_and_send, purchase_with_approvals, head, django_capture_on_commit_callbacks
):
    ticket = file_and_send(service=purchase_with_approvals)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(
            approval_id=ticket.approvals.get(position=1).pk,
            by=head,
            approve=False,
            comment="Over this quarter's budget.",
        )

    [message] = mail.outbox
    assert message.to == ["staff@accord.test"]
    assert message.subject == f"[{ticket.reference}] October payroll: rejected"
    assert "Reason:\nOver this quarter's budget." in message.body


def test_a_change_that_rolls_back_sends_nothing(
    staff, sales, payroll, finance_for_sales, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.ticket_file(requester=staff, service=payroll, customer=sales, title="October")
        raise RuntimeError("something later in the same change failed")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert mail.outbox == []


# What the e-mail says


def test_the_new_request_email_gives_the_key_facts_and_due_times(file_and_send, agent):
    ticket = file_and_send(description="For the October bonus run.")

    message = next(m for m in mail.outbox if m.to == ["agent@accord.test"])
    assert message.subject == f"[{ticket.reference}] October payroll: new request"
    assert message.body.startswith("Hello Alex Huang,\n\nSam Li of Sales has filed a new request")
    for fact in (
        "Service: Payroll data extract (Finance)",
        "Requester: Sam Li",
        "Customer department: Sales",
        "Priority: P2 · High",
        "First response due: Nov. 23, 2026, 2:30 p.m. (Asia/Shanghai)",
        "Resolution due: Nov. 24, 2026, 9:30 a.m. (Asia/Shanghai)",
        "For the October bonus run.",
    ):
        assert fact in message.body


def test_each_email_links_to_the_request_with_an_absolute_url(file_and_send):
    ticket = file_and_send()
    link = f"{django_settings.SITE_URL}{ticket.get_absolute_url()}"

    for message in mail.outbox:
        assert f"Open the request: {link}\n" in message.body
        assert f'href="{link}"' in html_of(message)


def test_user_content_is_escaped_in_the_html_and_left_as_is_in_the_text(file_and_send):
    file_and_send(title="R&D <b>data</b>", description="Q3 & Q4 <script>")

    message = mail.outbox[0]
    assert "R&D <b>data</b>: new request" in message.subject
    assert "Q3 & Q4 <script>" in message.body
    assert "R&amp;D &lt;b&gt;data&lt;/b&gt;" in html_of(message)
    assert "Q3 &amp; Q4 &lt;script&gt;" in html_of(message)
    assert "<script>" not in html_of(message)


def test_the_email_is_written_in_the_recipients_language(file_and_send, agent):
    # Django's own zh-Hans date format and a label our catalogue already translates: both hold
    # while the rest of the e-mail's Chinese is still being translated, and after.
    Profile.objects.create(user=agent, language="zh-hans")

    ticket = file_and_send()

    by_recipient = {message.to[0]: message for message in mail.outbox}
    chinese, english = by_recipient["agent@accord.test"], by_recipient["head@accord.test"]
    assert chinese.subject.startswith(f"[{ticket.reference}] October payroll")
    assert "2026年11月23日 14:30" in chinese.body
    assert "优先级" in chinese.body
    assert '<html lang="zh-hans">' in html_of(chinese)
    assert "Nov. 23, 2026, 2:30 p.m." in english.body


def test_each_email_has_the_deterministic_message_id(file_and_send):
    file_and_send()

    for notification in Notification.objects.all():
        [message] = [m for m in mail.outbox if m.to == [notification.recipient.email]]
        assert message.message()["Message-ID"] == notification.message_id


# Sending the outbox


@pytest.fixture
def waiting(staff, sales, payroll, finance_for_sales, agent):
    """A request filed without running its commit callbacks: one e-mail waits in the outbox."""
    ticket = services.ticket_file(
        requester=staff, service=payroll, customer=sales, title="October payroll"
    )
    return Notification.objects.get(ticket=ticket, recipient=agent)


@pytest.fixture
def smtp_refuses(settings):
    """An SMTP server that is not there: the port was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_running_the_task_twice_sends_once(waiting):
    assert tasks.send_notification(waiting.pk) == "sent"
    assert tasks.send_notification(waiting.pk) == "skipped"

    assert len(mail.outbox) == 1
    waiting.refresh_from_db()
    assert (waiting.state, waiting.attempts) == (Notification.State.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_a_row_another_sender_is_claiming_is_skipped_not_waited_for(waiting):
    """Claims are SELECT ... FOR UPDATE SKIP LOCKED: a sender holding one row's lock (mid-claim)
    neither blocks another nor loses the row to it."""
    # Committed at once in this test, the filing's e-mails went out: queue them again.
    Notification.objects.update(state=Notification.State.PENDING, attempts=0)
    mail.outbox.clear()
    others = list(Notification.objects.exclude(pk=waiting.pk).values_list("pk", flat=True))
    locked, held = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            Notification.objects.select_for_update().get(pk=waiting.pk)
            locked.set()
            held.wait(timeout=10)
        connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        assert tasks.send_notification(waiting.pk) == "skipped"
        assert send_batch([waiting.pk, *others]) == {
            "sent": len(others),
            "failed": 0,
            "skipped": 1,
        }
    finally:
        held.set()
        holder.join(timeout=10)

    assert tasks.send_notification(waiting.pk) == "sent"  # once the lock is gone


def test_a_claim_left_by_a_dead_worker_is_sent_again_only_once_it_is_stale(waiting, frozen):
    Notification.objects.filter(pk=waiting.pk).update(
        state=Notification.State.SENDING, claimed_at=MONDAY_9AM
    )

    frozen.move_to(MONDAY_9AM + STALE_CLAIM - timedelta(seconds=1), tick=False)
    assert tasks.send_notification(waiting.pk) == "skipped"
    assert mail.outbox == []

    frozen.move_to(MONDAY_9AM + STALE_CLAIM + timedelta(seconds=1), tick=False)
    assert tasks.send_notification(waiting.pk) == "sent"
    assert len(mail.outbox) == 1


def test_an_smtp_failure_leaves_the_email_pending_with_the_error(waiting, smtp_refuses):
    assert tasks.send_notification(waiting.pk) == "failed"

    waiting.refresh_from_db()
    assert waiting.state == Notification.State.PENDING
    assert waiting.attempts == 1
    assert waiting.last_error.startswith("ConnectionRefusedError")


def test_each_failure_doubles_the_wait_before_the_next_attempt_up_to_the_last(
    waiting, smtp_refuses, frozen
):
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert tasks.send_notification(waiting.pk) == "failed"
        waiting.refresh_from_db()
        waits.append(waiting.retry_at - timezone.now())
        if attempt == MAX_ATTEMPTS:
            break
        frozen.move_to(waiting.retry_at - timedelta(seconds=1), tick=False)
        assert tasks.send_notification(waiting.pk) == "skipped"  # not before its time
        assert waiting.pk not in requeued()
        frozen.move_to(waiting.retry_at, tick=False)
        assert waiting.pk in requeued()

    assert waits[:4] == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)]
    assert (waiting.state, waiting.attempts) == (Notification.State.FAILED, MAX_ATTEMPTS)
    frozen.move_to(waiting.retry_at + timedelta(days=1), tick=False)
    assert tasks.send_notification(waiting.pk) == "skipped"  # given up


def requeued() -> list[int]:
    queued = []
    requeue_unsent(queued.append)
    return queued


def test_the_wait_between_attempts_is_capped():
    assert retry_delay(1) == RETRY_BASE
    assert retry_delay(3) == 4 * RETRY_BASE
    assert retry_delay(20) == RETRY_CAP


def test_a_batch_retries_a_failed_email_only_after_its_wait(waiting, smtp_refuses, frozen):
    assert send_batch([waiting.pk]) == {"sent": 0, "failed": 1, "skipped": 0}
    waiting.refresh_from_db()
    assert waiting.retry_at == timezone.now() + RETRY_BASE

    assert send_batch([waiting.pk])["skipped"] == 1
    frozen.move_to(waiting.retry_at, tick=False)
    assert send_batch([waiting.pk])["failed"] == 1


def test_requeue_picks_pending_emails_and_stale_claims_only(waiting):
    def row(**state):
        notification = Notification.objects.create(
            ticket=waiting.ticket, kind=Notification.Kind.RESOLVED, recipient=UserFactory()
        )
        Notification.objects.filter(pk=notification.pk).update(**state)
        return notification.pk

    Notification.objects.exclude(pk=waiting.pk).delete()
    stale = row(state="sending", claimed_at=MONDAY_9AM - STALE_CLAIM - timedelta(seconds=1))
    row(state="sending", claimed_at=MONDAY_9AM)
    row(state="sent")
    row(state="failed", attempts=MAX_ATTEMPTS)
    queued = []

    assert requeue_unsent(queued.append) == 2
    assert sorted(queued) == sorted([waiting.pk, stale])


def test_the_periodic_requeue_run_twice_sends_each_waiting_email_once(waiting):
    tasks.send_unsent_notifications()
    tasks.send_unsent_notifications()

    assert recipients() == ["agent@accord.test", "head@accord.test"]
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
