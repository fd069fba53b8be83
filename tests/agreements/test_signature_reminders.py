"""Nobody has to poll for a signature: while a proposal waits, each head who still has to sign is
reminded every two days (run twice: reminded once), reminders stop once they decide, and a
reminder written before a decision is withdrawn. Finance proposes its services to Sales and
Human Resources on Monday 2 November 2026, 09:00 in Shanghai."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from agreements import letters, services
from agreements.models import Agreement, Priority
from agreements.reminders import REMIND_EVERY, signature_reminders_send
from agreements.tasks import remind_signers
from config.settings import CELERY_BEAT_SCHEDULE
from departments.models import Membership
from outbox import sending
from outbox.kinds import KINDS
from outbox.models import Message
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PROPOSED_AT = datetime(2026, 11, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
HOURS = timedelta(hours=1)


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


@pytest.fixture
def hr_head(human_resources):
    return MembershipFactory(department=human_resources, role=Membership.Role.HEAD).user


@pytest.fixture
def proposal(clock_at, head, finance, sales, human_resources, sales_head, hr_head) -> Agreement:
    clock_at(PROPOSED_AT)
    agreement = services.agreement_save_draft(
        agreement=Agreement(provider=finance, title="Finance services", calendar=CalendarFactory()),
        by=head,
        revision=None,
        services=[ServiceFactory(provider=finance, name="Payroll data extract")],
        customers=[sales, human_resources],
        targets={Priority.P1: (1 * HOURS, 4 * HOURS)},
    )
    return services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )


def reminded() -> list[tuple[str, int]]:
    rows = Message.objects.filter(kind=letters.SIGNATURE_REMINDER)
    return sorted((message.recipient.username, message.round) for message in rows)


def test_nobody_is_reminded_before_two_days_have_passed(proposal, clock_at):
    clock_at(PROPOSED_AT + REMIND_EVERY - timedelta(minutes=1))

    assert signature_reminders_send(now=PROPOSED_AT + REMIND_EVERY - timedelta(minutes=1)) == 0
    assert reminded() == []


def test_each_head_who_has_to_sign_is_reminded_once_however_often_the_task_runs(
    proposal, clock_at, sales_head, hr_head
):
    clock_at(PROPOSED_AT + REMIND_EVERY)

    remind_signers()
    remind_signers()

    assert reminded() == sorted([(sales_head.username, 1), (hr_head.username, 1)])


def test_a_head_is_reminded_again_every_two_days_while_it_waits(proposal, clock_at, sales_head):
    for days in (2, 3, 4, 4):
        clock_at(PROPOSED_AT + timedelta(days=days))
        remind_signers()

    rounds = [r for name, r in reminded() if name == sales_head.username]
    assert rounds == [1, 2]


def test_for_a_customer_whose_head_left_the_administrators_are_reminded_not_the_head_above(
    proposal, clock_at, admin_user, company, hr_head, sales_head
):
    company_head = MembershipFactory(department=company, role=Membership.Role.HEAD).user
    Membership.objects.filter(user=sales_head).delete()  # Sales has no head: only admins sign
    clock_at(PROPOSED_AT + REMIND_EVERY)

    remind_signers()

    assert reminded() == sorted([(admin_user.username, 1), (hr_head.username, 1)])
    assert company_head.username not in dict(reminded())


def test_a_head_who_signed_is_no_longer_reminded(proposal, clock_at, sales, sales_head, hr_head):
    clock_at(PROPOSED_AT + HOURS)
    services.agreement_accept(
        agreement_id=proposal.pk, by=sales_head, department=sales, revision=proposal.revision
    )
    clock_at(PROPOSED_AT + REMIND_EVERY)

    remind_signers()

    assert reminded() == [(hr_head.username, 1)]


def test_reminders_stop_once_the_proposal_is_decided(proposal, clock_at, sales, sales_head):
    clock_at(PROPOSED_AT + HOURS)
    services.agreement_reject(
        agreement_id=proposal.pk,
        by=sales_head,
        department=sales,
        revision=proposal.revision,
        comment="Too slow",
    )
    clock_at(PROPOSED_AT + 3 * REMIND_EVERY)

    remind_signers()
    remind_signers()

    assert reminded() == []


def test_a_reminder_written_before_the_head_signed_is_withdrawn(
    proposal, clock_at, sales, sales_head
):
    clock_at(PROPOSED_AT + REMIND_EVERY)
    remind_signers()
    message = Message.objects.get(kind=letters.SIGNATURE_REMINDER, recipient=sales_head)
    proposal.refresh_from_db()
    services.agreement_accept(
        agreement_id=proposal.pk, by=sales_head, department=sales, revision=proposal.revision
    )

    reason = KINDS[letters.SIGNATURE_REMINDER].withdrawn(message)

    assert reason == Message.CancelReason.AGREEMENT_CHANGED


def test_the_reminder_e_mail_names_the_agreement_and_links_to_it(proposal, clock_at, sales_head):
    clock_at(PROPOSED_AT + REMIND_EVERY)
    remind_signers()
    mail.outbox.clear()

    sending.send(
        list(
            Message.objects.filter(
                kind=letters.SIGNATURE_REMINDER, recipient=sales_head
            ).values_list("pk", flat=True)
        )
    )

    [email] = mail.outbox
    assert email.subject == "Reminder: Finance waits for your signature on Finance services"
    assert "still waits for your decision" in email.body
    assert f"/agreements/{proposal.pk}/" in email.body


def test_beat_runs_the_reminders():
    assert any(
        entry["task"] == "agreements.remind_signers" for entry in CELERY_BEAT_SCHEDULE.values()
    )
