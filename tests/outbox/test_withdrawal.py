"""Content true at send time: every kind of message a request sends is checked again just before
it is sent. Written while its reason held, it is sent while the reason still holds, and withdrawn
(`cancelled`, with why) once the reason is gone: the request taken on or closed, the step
decided, the question answered, the target met, the request moved to another agreement, a
warning overtaken by its breach. Nothing withdrawn reaches anyone.

Each case writes its messages with nothing run after the commit (they wait in the outbox), then
changes the world as a person would, then runs `outbox.sending.send` as the worker would.

The example: a P1 request filed Monday 09:00 (Shanghai): first response due 10:00, its warning
at 09:45; purchases need the head of Finance, then the CFO."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail

from agreements.models import Agreement, Priority
from departments.models import Membership, Profile
from outbox import sending
from outbox.models import Message
from tests.factories import MembershipFactory, UserFactory
from tests.support.clock import HOUR, at
from tickets import letters, services
from tickets.alerting.breach_scan import breach_scan
from tickets.alerting.digests import send_alert_digests
from tickets.alerting.escalation import escalate_breaches
from tickets.models import Ticket
from tickets.workflow import Action

Reason = Message.CancelReason


@pytest.fixture
def world(request, agreement, staff, agent, head, cfo, payroll_extract, purchase, file_request):
    """What the cases need, by name."""

    @dataclass
    class World:
        staff: object
        agent: object
        head: object
        cfo: object
        payroll: object
        purchase: object
        file: Callable
        clock_at: Callable
        ticket: Ticket | None = None

        def act(self, by, action, comment=""):
            self.ticket = services.ticket_transition(
                ticket_id=self.ticket.pk,
                by=by,
                action=action,
                expected_version=None,
                comment=comment,
            )

        def scan(self, *when):
            self.clock_at(at(*when))
            breach_scan()

    return World(
        staff, agent, head, cfo, payroll_extract, purchase, file_request,
        request.getfixturevalue("clock_at"),
    )  # fmt: skip


# Each case: (kind, write: its messages waiting in the outbox, unmake: its reason removed,
# the reason the withdrawn message records).


def filed(w):
    w.ticket = w.file(w.payroll)


def asked(w):
    filed(w)
    w.act(w.agent, Action.ASK, "Which cost centre?")


def resolved(w):
    filed(w)
    w.act(w.agent, Action.RESOLVE, "Extract attached.")


def reopened(w):
    resolved(w)
    w.act(w.staff, Action.REOPEN, "The bonus column is missing.")


def purchase_filed(w):
    w.ticket = w.file(w.purchase)


def urgent(w):
    w.ticket = w.file(w.payroll, title="Payroll", priority=Priority.P1)


def breached(w):
    urgent(w)
    w.scan(23, 10, 1)


def warned(w):
    urgent(w)
    w.scan(23, 9, 45)


def escalated(w):
    Agreement.objects.filter(pk=w.ticket_agreement_id).update(escalation_after=2 * HOUR)
    breached(w)
    escalate_breaches()  # schedules level 2 at 12:00
    w.clock_at(at(23, 12))
    escalate_breaches()


def cancelled(w):
    w.act(w.staff, Action.CANCEL)


def acknowledged(w):
    w.act(w.agent, Action.ACKNOWLEDGE)


def moved_agreement(w):
    # As a new version of the agreement would: the request now runs under another agreement.
    Ticket.objects.filter(pk=w.ticket.pk).update(agreement=None)


CASES = [
    pytest.param(letters.FILED, filed, acknowledged, Reason.TAKEN_ON, id="filed-taken-on"),
    pytest.param(letters.FILED, filed, cancelled, Reason.REQUEST_CLOSED, id="filed-closed"),
    pytest.param(
        letters.APPROVAL_NEEDED,
        purchase_filed,
        lambda w: services.approval_decide(
            approval_id=w.ticket.approvals.get(position=1).pk, by=w.head, approve=True
        ),
        Reason.STEP_DECIDED,
        id="approval-needed-decided",
    ),
    pytest.param(
        letters.INPUT_NEEDED,
        asked,
        lambda w: w.act(w.staff, Action.ANSWER, "Cost centre 4100."),
        Reason.STATUS_CHANGED,
        id="input-needed-answered",
    ),
    pytest.param(
        letters.RESOLVED,
        resolved,
        lambda w: w.act(w.staff, Action.CONFIRM),
        Reason.REQUEST_CLOSED,
        id="resolved-confirmed",
    ),
    pytest.param(
        letters.REOPENED,
        reopened,
        lambda w: w.act(w.agent, Action.ASK, "Which bonus column?"),
        Reason.STATUS_CHANGED,
        id="reopened-moved-on",
    ),
    pytest.param(letters.BREACH, breached, acknowledged, Reason.TARGET_MET, id="breach-met"),
    pytest.param(letters.BREACH, breached, cancelled, Reason.REQUEST_CLOSED, id="breach-closed"),
    pytest.param(letters.BREACH, breached, moved_agreement, Reason.MOVED, id="breach-moved"),
    pytest.param(letters.WARNING, warned, acknowledged, Reason.TARGET_MET, id="warning-met"),
    pytest.param(letters.WARNING, warned, cancelled, Reason.REQUEST_CLOSED, id="warning-closed"),
    pytest.param(
        letters.WARNING,
        warned,
        lambda w: w.scan(23, 10, 1),
        Reason.BREACHED,
        id="warning-overtaken-by-breach",
    ),
    pytest.param(
        letters.ESCALATION, escalated, acknowledged, Reason.TARGET_MET, id="escalation-met"
    ),
    pytest.param(
        letters.ESCALATION, escalated, cancelled, Reason.REQUEST_CLOSED, id="escalation-closed"
    ),
]


@pytest.fixture
def ceo(company):
    """The head above Finance, told of escalations."""
    user = UserFactory(username="ceo", first_name="Wei", last_name="Zhang")
    MembershipFactory(user=user, department=company, role=Membership.Role.HEAD)
    return user


@pytest.fixture
def case_world(world, agreement, ceo):
    world.ticket_agreement_id = agreement.pk
    return world


def waiting(kind) -> list[int]:
    return list(
        Message.objects.filter(kind=kind, state=Message.State.PENDING).values_list("pk", flat=True)
    )


@pytest.mark.parametrize(("kind", "write", "unmake", "reason"), CASES)
def test_a_message_is_sent_while_its_reason_holds(case_world, kind, write, unmake, reason):
    write(case_world)
    ids = waiting(kind)
    assert ids

    counts = sending.send(ids)

    assert counts == {"sent": len(ids), "skipped": 0}
    assert len(mail.outbox) == len(ids)
    assert set(Message.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"sent"}


@pytest.mark.parametrize(("kind", "write", "unmake", "reason"), CASES)
def test_a_message_whose_reason_is_gone_is_withdrawn_not_sent(
    case_world, kind, write, unmake, reason
):
    write(case_world)
    ids = waiting(kind)
    assert ids
    unmake(case_world)

    counts = sending.send(ids)

    assert counts == {"cancelled": len(ids), "skipped": 0}
    assert mail.outbox == []
    withdrawn = Message.objects.filter(pk__in=ids)
    assert set(withdrawn.values_list("state", "cancel_reason")) == {
        (Message.State.CANCELLED, reason)
    }
    assert not withdrawn.filter(sent_at__isnull=False).exists()


def test_please_take_it_on_is_not_sent_about_a_request_closed_in_the_meantime(world):
    """The tester's bug: "Please acknowledge it or take it on" about a request already closed."""
    filed(world)
    ids = waiting(letters.FILED)
    world.act(world.agent, Action.RESOLVE, "Done on the phone.")
    world.act(world.staff, Action.CONFIRM)
    assert world.ticket.status == "closed"

    sending.send(ids)

    assert not [m for m in mail.outbox if "Please acknowledge it or take it on" in m.body]
    assert set(Message.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        Message.State.CANCELLED
    }


def test_a_rejection_is_sent_though_the_request_is_closed(world):
    """The one request message that reports the end of a request is never withdrawn by it."""
    purchase_filed(world)
    services.approval_decide(
        approval_id=world.ticket.approvals.get(position=1).pk,
        by=world.head,
        approve=False,
        comment="Over budget.",
    )
    ids = waiting(letters.REJECTED)

    assert sending.send(ids)["sent"] == len(ids) == 1
    assert mail.outbox[0].to == [world.staff.email]


def test_a_digest_leaves_out_an_alert_whose_reason_is_gone_and_sends_the_rest(world):
    Profile.objects.update_or_create(
        user=world.head,
        defaults={"deliveries": {"tickets.breach": "digest", "tickets.warning": "digest"}},
    )
    urgent(world)
    closed = world.ticket
    urgent(world)  # a second request, still breached at the hour
    world.scan(23, 10, 1)
    world.ticket = closed
    cancelled(world)

    world.clock_at(at(23, 11))
    assert send_alert_digests() == 1
    [digest] = Message.objects.filter(kind=letters.DIGEST)
    sending.send([digest.pk])

    [email] = [m for m in mail.outbox if m.to == [world.head.email]]
    assert "1 alert" in email.subject
    gathered = Message.objects.filter(recipient=world.head, kind=letters.BREACH)
    assert set(gathered.values_list("state", "cancel_reason")) == {
        (Message.State.SENT, ""),
        (Message.State.CANCELLED, Reason.REQUEST_CLOSED),
    }
