"""Who is told what about a request, in which language: through `mail.outbox`, the outbox's
tasks run inline. How the outbox claims, retries and sends once is tests/outbox/test_sending.py."""

import re

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import transaction
from django.urls import reverse

from config.celery import app as celery_app
from departments.models import Membership, Profile
from outbox import tasks as outbox_tasks
from outbox.models import Message
from tests.factories import MembershipFactory
from tickets import conversation, letters, services
from tickets.approval_links import approval_from_token
from tickets.workflow import Action


@pytest.fixture(autouse=True)
def tasks_run_inline():
    """Celery reads its settings once, when it is configured: switch the app itself."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def file_and_send(agreement, payroll_extract, file_request, django_capture_on_commit_callbacks):
    """File a request as `staff` and run what its commit queues (sending the e-mail)."""

    def file(service=payroll_extract, title="October payroll", description=""):
        with django_capture_on_commit_callbacks(execute=True):
            return file_request(service, title=title, description=description)

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


def request_messages():
    """The messages about requests (putting the agreement in force writes its own)."""
    return Message.objects.filter(kind__startswith="tickets.")


# Who is told


def test_filing_tells_the_provider_agents_and_head(file_and_send, agent, head, finance):
    MembershipFactory(department=finance, role=Membership.Role.MEMBER)
    MembershipFactory(department=finance, role=Membership.Role.AGENT, user__is_active=False)
    MembershipFactory(department=finance, role=Membership.Role.AGENT, user__email="")

    file_and_send()

    assert recipients() == ["agent@accord.test", "head@accord.test"]


def test_a_service_with_approvals_asks_the_first_approver_only(
    file_and_send, purchase, agent, head, cfo
):
    ticket = file_and_send(service=purchase)

    assert recipients() == ["head@accord.test"]
    assert (
        mail.outbox[0].subject == f"[{ticket.reference}] October payroll: your approval is needed"
    )


def test_the_next_approver_is_asked_after_the_first_approval(
    file_and_send, purchase, head, django_capture_on_commit_callbacks
):
    ticket = file_and_send(service=purchase)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approval_decide(
            approval_id=ticket.approvals.get(position=1).pk, by=head, approve=True
        )

    assert recipients() == ["cfo@accord.test"]


def test_the_last_approval_tells_the_provider_agents_the_request_is_theirs(
    file_and_send,
    purchase,
    agent,
    head,
    cfo,
    django_capture_on_commit_callbacks,
):
    ticket = file_and_send(service=purchase)
    with django_capture_on_commit_callbacks(execute=True):
        for step, approver in ((1, head), (2, cfo)):
            approval = ticket.approvals.get(position=step)
            services.approval_decide(approval_id=approval.pk, by=approver, approve=True)
    mail.outbox = [message for message in mail.outbox if message.subject.endswith("new request")]

    assert recipients() == ["agent@accord.test", "head@accord.test"]
    assert "has been approved and is now in your department's queue" in mail.outbox[0].body


def test_the_approval_email_carries_a_signed_link_to_a_confirmation_page(file_and_send, purchase):
    ticket = file_and_send(service=purchase)
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


def test_cancelling_tells_the_assignee_who_cancelled_it_and_why(
    file_and_send, act_and_send, staff, agent, head
):
    ticket = file_and_send()
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.CANCEL, comment="Payroll sent us the file directly.")

    [message] = mail.outbox
    assert message.to == ["agent@accord.test"]
    assert message.subject == f"[{ticket.reference}] October payroll: cancelled"
    assert "Sam Li has cancelled a request assigned to you." in message.body
    assert "Reason:\nPayroll sent us the file directly." in message.body
    assert "Sam Li has cancelled a request assigned to you." in html_of(message)


def test_cancelling_an_unassigned_request_tells_the_agents(
    file_and_send, act_and_send, staff, agent, head
):
    ticket = file_and_send()
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.CANCEL)

    assert recipients() == ["agent@accord.test", "head@accord.test"]
    assert "Sam Li has cancelled a request of Finance." in mail.outbox[0].body


def test_a_watcher_who_is_the_assignee_hears_of_the_cancellation_once(
    file_and_send, act_and_send, staff, agent, head
):
    ticket = file_and_send()
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    conversation.ticket_watch(ticket_id=ticket.pk, by=agent)
    conversation.ticket_watch(ticket_id=ticket.pk, by=head)
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.CANCEL)

    assert recipients() == ["agent@accord.test", "head@accord.test"]
    assert Message.objects.get(recipient=agent, kind=letters.CANCELLED)
    assert Message.objects.get(recipient=head, kind=letters.STATUS_CHANGED)


def test_whoever_cancels_is_not_told_of_their_own_cancellation(
    file_and_send, act_and_send, staff, finance
):
    MembershipFactory(user=staff, department=finance, role=Membership.Role.AGENT)
    ticket = file_and_send()
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.CANCEL)

    assert "staff@accord.test" not in recipients()
    assert not Message.objects.filter(recipient=staff, kind=letters.CANCELLED).exists()


def test_the_cancellation_is_written_in_the_recipients_language(
    file_and_send, act_and_send, staff, agent, head
):
    Profile.objects.create(user=agent, language="zh-hans")
    ticket = file_and_send()
    services.ticket_assign(ticket_id=ticket.pk, by=head, assignee=agent, expected_version=None)
    mail.outbox.clear()

    act_and_send(ticket, staff, Action.CANCEL)

    [message] = mail.outbox
    assert message.subject == f"[{ticket.reference}] October payroll：已取消"
    assert "Sam Li取消了一项指派给您的服务请求。" in message.body


def test_a_rejection_tells_the_requester_why(
    file_and_send, purchase, head, django_capture_on_commit_callbacks
):
    ticket = file_and_send(service=purchase)
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
    agreement, payroll_extract, file_request, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        file_request(payroll_extract, title="October")
        raise RuntimeError("something later in the same change failed")

    assert callbacks == []
    assert not request_messages().exists()
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
        "First response due: 23 Nov 2026, 14:30 (Asia/Shanghai)",
        "Resolution due: 24 Nov 2026, 09:30 (Asia/Shanghai)",
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
    assert "23 Nov 2026, 14:30" in english.body


def test_each_email_has_the_deterministic_message_id(file_and_send, agent, head):
    file_and_send()

    filed = Message.objects.filter(kind=letters.FILED)
    assert filed.count() == 2
    for row in filed:
        [message] = [m for m in mail.outbox if m.to == [row.recipient.email]]
        assert message.message()["Message-ID"] == row.message_id


# Sending what waits


def test_the_periodic_requeue_run_twice_sends_each_waiting_email_once(
    agreement, payroll_extract, file_request, agent, head
):
    file_request(payroll_extract)  # its commit callbacks never run: the e-mails wait

    outbox_tasks.send_unsent()
    outbox_tasks.send_unsent()

    new_request = sorted(m.to[0] for m in mail.outbox if m.subject.endswith("new request"))
    assert new_request == ["agent@accord.test", "head@accord.test"]
    filed = Message.objects.filter(kind=letters.FILED)
    assert set(filed.values_list("state", "attempts")) == {(Message.State.SENT, 1)}


# A hand-off cancelled with its parent


@pytest.fixture
def cancel_with_hand_off(
    file_and_send, hand_off, act_and_send, staff, django_capture_on_commit_callbacks
):
    """Staff's request, handed off to IT by Finance's agent, then cancelled by staff."""

    def cancel(before_cancel=lambda child: None):
        parent = file_and_send()
        with django_capture_on_commit_callbacks(execute=True):
            child = hand_off(parent)
        before_cancel(child)
        mail.outbox.clear()
        act_and_send(parent, staff, Action.CANCEL, comment="Payroll sent us the file directly.")
        return parent, child

    return cancel


def test_a_hand_off_cancelled_with_its_parent_tells_its_providers_agents_why(
    cancel_with_hand_off, it_agent
):
    parent, child = cancel_with_hand_off()

    [message] = [message for message in mail.outbox if message.to == ["it_agent@accord.test"]]
    assert message.subject == f"[{child.reference}] Laptop for the new accountant: cancelled"
    said = "This request was cancelled because the request it was opened for was cancelled."
    assert said in message.body and said in html_of(message)
    assert f"The request it was opened for:\n{parent.reference}\n" in message.body
    # The provider of the hand-off may not read the parent: its reference only, not its title.
    assert "October payroll" not in message.body and "Sam Li" not in message.body


def test_a_hand_off_cancelled_with_its_parent_tells_only_its_assignee_once(
    cancel_with_hand_off, it_agent, it, head
):
    MembershipFactory(user=head, department=it, role=Membership.Role.AGENT)

    def assign_and_watch(child):
        services.ticket_assign(
            ticket_id=child.pk, by=it_agent, assignee=it_agent, expected_version=None
        )
        conversation.ticket_watch(ticket_id=child.pk, by=it_agent)

    _, child = cancel_with_hand_off(assign_and_watch)

    told = Message.objects.filter(about_id=child.events.latest("pk").pk)
    assert [(message.recipient, message.kind) for message in told] == [
        (it_agent, letters.CANCELLED)
    ]


def test_a_hand_off_cancelled_with_its_parent_is_told_in_the_recipients_language(
    cancel_with_hand_off, it_agent
):
    Profile.objects.create(user=it_agent, language="zh-hans")

    _, child = cancel_with_hand_off()

    [message] = [message for message in mail.outbox if message.to == ["it_agent@accord.test"]]
    assert message.subject == f"[{child.reference}] Laptop for the new accountant：已取消"
    assert "由于为之提出本请求的上级请求已取消，本请求也随之取消。" in message.body
