"""Content true at send time for surveys and agreements: a survey e-mail whose invitation was
answered or whose wave closed in the meantime, and a proposal notice whose proposal is no longer
open, are cancelled with the reason instead of sent; while their reason holds, they are sent."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail

from agreements import letters as agreement_letters
from agreements import services as agreement_services
from agreements.models import Agreement, Priority
from departments.models import Membership
from outbox import sending
from outbox.models import Message
from surveys import letters as survey_letters
from surveys import services as survey_services
from surveys.models import Invitation, QuestionKind, Wave
from tests.factories import CalendarFactory, MembershipFactory, ServiceFactory
from tests.support.clock import LAUNCH, SHANGHAI

pytestmark = pytest.mark.django_db

HOURS = timedelta(hours=1)


def pending(*kinds: str) -> list[int]:
    rows = Message.objects.filter(kind__in=kinds, state=Message.State.PENDING)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def outcomes(*kinds: str) -> list[tuple[str, str]]:
    rows = Message.objects.filter(kind__in=kinds).order_by("pk")
    return list(rows.values_list("state", "cancel_reason"))


# Surveys -----------------------------------------------------------------------------------------


@pytest.fixture
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


@pytest.fixture
def wave(campaign, hr, sales, finance, requests_filed, people, frozen):
    """A wave of two invitations, e-mailed at launch; its reminder is due after three days."""
    requests_filed(customer=sales, provider=finance, people=people(sales, 2),
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    survey_services.campaign_launch(campaign_id=campaign(reminder_days=[3]).pk, by=hr)
    sending.send(pending(survey_letters.INVITATION))
    mail.outbox.clear()
    return Wave.objects.get()


def remind(frozen, wave):
    frozen.move_to(wave.reminder_due_at(1) + HOURS)
    assert survey_services.send_due_reminders() == [wave.pk]


def answer(invitation):
    likert = invitation.wave.campaign.questions.filter(kind=QuestionKind.LIKERT)
    survey_services.response_submit(
        invitation_id=invitation.pk, answers={question.pk: 4 for question in likert}
    )


def test_a_reminder_goes_to_whoever_has_not_answered_while_the_wave_is_open(wave, frozen):
    remind(frozen, wave)

    counts = sending.send(pending(survey_letters.REMINDER))

    assert counts["sent"] == 2
    assert sorted(email.to[0] for email in mail.outbox) == [
        "sales1@accord.test", "sales2@accord.test",
    ]  # fmt: skip


def test_a_reminder_to_someone_who_answered_before_it_went_is_cancelled(wave, frozen):
    remind(frozen, wave)
    answered = Invitation.objects.order_by("pk").first()
    answer(answered)

    counts = sending.send(pending(survey_letters.REMINDER))

    assert (counts["sent"], counts["cancelled"]) == (1, 1)
    assert [email.to[0] for email in mail.outbox] == ["sales2@accord.test"]
    cancelled = Message.objects.get(state=Message.State.CANCELLED)
    assert (cancelled.recipient, cancelled.cancel_reason) == (answered.recipient, "answered")


def test_a_reminder_still_unsent_when_the_wave_closes_is_cancelled(wave, frozen):
    remind(frozen, wave)
    frozen.move_to(wave.closes_at)

    counts = sending.send(pending(survey_letters.REMINDER))

    assert counts["cancelled"] == 2
    assert mail.outbox == []
    assert outcomes(survey_letters.REMINDER) == [("cancelled", "wave_closed")] * 2


def test_an_invitation_still_unsent_when_the_wave_closes_is_cancelled(
    campaign, hr, sales, finance, staff, requests_filed, frozen
):
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    survey_services.campaign_launch(campaign_id=campaign().pk, by=hr)
    frozen.move_to(Wave.objects.get().closes_at + HOURS)

    sending.send(pending(survey_letters.INVITATION))

    assert mail.outbox == []
    assert outcomes(survey_letters.INVITATION) == [("cancelled", "wave_closed")]


# Agreements --------------------------------------------------------------------------------------


@pytest.fixture
def sales_head(sales):
    return MembershipFactory(department=sales, role=Membership.Role.HEAD).user


@pytest.fixture
def monday():
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


@pytest.fixture
def proposal(head, finance, sales, sales_head, monday):
    """Finance's head proposes an agreement to Sales; its notice to Sales's head waits unsent."""
    agreement = agreement_services.agreement_save_draft(
        agreement=Agreement(provider=finance, title="Finance services", calendar=CalendarFactory()),
        by=head,
        revision=None,
        services=[ServiceFactory(provider=finance)],
        customers=[sales],
        targets={Priority.P1: (1 * HOURS, 4 * HOURS), Priority.P3: (8 * HOURS, 40 * HOURS)},
    )
    return agreement_services.agreement_propose(
        agreement_id=agreement.pk, by=head, revision=agreement.revision
    )


def test_a_proposal_notice_still_open_is_sent_to_the_customer_head(proposal, sales_head):
    sending.send(pending(agreement_letters.PROPOSED))

    assert [email.to for email in mail.outbox] == [[sales_head.email]]
    assert outcomes(agreement_letters.PROPOSED) == [("sent", "")]


def test_a_proposal_withdrawn_before_its_notice_went_is_not_e_mailed(proposal, head):
    agreement_services.agreement_withdraw(
        agreement_id=proposal.pk, by=head, revision=proposal.revision
    )

    counts = sending.send(pending(agreement_letters.PROPOSED))

    assert counts["cancelled"] == 1
    assert mail.outbox == []
    assert outcomes(agreement_letters.PROPOSED) == [("cancelled", "agreement_changed")]


def test_a_proposal_proposed_again_before_its_notice_went_is_e_mailed_once(
    proposal, head, sales_head, monday
):
    withdrawn = agreement_services.agreement_withdraw(
        agreement_id=proposal.pk, by=head, revision=proposal.revision
    )
    monday.shift(HOURS)
    agreement_services.agreement_propose(
        agreement_id=proposal.pk, by=head, revision=withdrawn.revision
    )

    sending.send(pending(agreement_letters.PROPOSED))

    assert [email.to for email in mail.outbox] == [[sales_head.email]]
    assert outcomes(agreement_letters.PROPOSED) == [
        ("cancelled", "agreement_changed"), ("sent", ""),
    ]  # fmt: skip


def test_a_rejected_proposals_notice_is_withdrawn_and_the_rejection_reaches_the_provider(
    proposal, head, sales, sales_head
):
    agreement_services.agreement_reject(agreement_id=proposal.pk, by=sales_head, department=sales,
                                        revision=proposal.revision, comment="Too slow")  # fmt: skip

    sending.send(pending(agreement_letters.PROPOSED, agreement_letters.REJECTED))

    assert [email.to for email in mail.outbox] == [[head.email]]
    assert outcomes(agreement_letters.PROPOSED) == [("cancelled", "agreement_changed")]
    assert outcomes(agreement_letters.REJECTED) == [("sent", "")]
