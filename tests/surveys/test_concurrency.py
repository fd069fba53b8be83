"""Jobs and answers at the same moment: two launchers launch one wave, two reminder runs start
one round, two submissions of one link record one response (separate database connections).
Two senders of one batch: tests/outbox/test_sending.py."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from outbox.models import Message
from surveys import letters, services
from surveys.models import Invitation, QuestionKind, Response, Wave
from tests.support.celery import redis_down
from tests.support.clock import LAUNCH, SHANGHAI
from tests.support.concurrency import run_at_once

SECOND_OF_OCTOBER = datetime(2026, 10, 2, 1, tzinfo=SHANGHAI)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scheduled(campaign, hr, staff, sales, finance, people, requests_filed):
    requests_filed(customer=sales, provider=finance, people=[staff, *people(sales, 3)],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    with time_machine.travel(LAUNCH, tick=False):
        draft = campaign(starts_on=date(2026, 10, 2), reminder_days=[3])
        services.campaign_launch(campaign_id=draft.pk, by=hr)
    return draft


@pytest.fixture(autouse=True)
def no_broker():
    """What these tests queue after each commit stays in the outbox (their own calls send it)."""
    with redis_down():
        yield


def launch_the_wave():
    with time_machine.travel(SECOND_OF_OCTOBER, tick=False):
        services.launch_due_campaigns()


def test_two_launchers_at_once_launch_one_wave(scheduled):
    with time_machine.travel(SECOND_OF_OCTOBER, tick=False):
        outcomes = run_at_once(services.launch_due_campaigns, services.launch_due_campaigns)

    assert sorted(len(outcome) for outcome in outcomes) == [0, 1]
    assert Wave.objects.count() == 1
    assert Invitation.objects.count() == 4
    assert Message.objects.filter(kind=letters.INVITATION).count() == 4


def test_two_reminder_runs_at_once_start_one_round(scheduled):
    launch_the_wave()
    with time_machine.travel(datetime(2026, 10, 5, 2, tzinfo=SHANGHAI), tick=False):
        outcomes = run_at_once(services.send_due_reminders, services.send_due_reminders)

    assert sorted(len(outcome) for outcome in outcomes) == [0, 1]
    assert Wave.objects.get().email_round == 2
    reminders = Message.objects.filter(kind=letters.REMINDER)
    assert sorted(reminders.values_list("round", flat=True)) == [2, 2, 2, 2]


def test_two_submissions_of_one_link_at_once_record_one_response(scheduled):
    launch_the_wave()
    invitation = Invitation.objects.first()
    likert = invitation.wave.campaign.questions.filter(kind=QuestionKind.LIKERT)
    answers = {question.pk: 5 for question in likert}

    def submit():
        return services.response_submit(invitation_id=invitation.pk, answers=answers)

    with time_machine.travel(SECOND_OF_OCTOBER, tick=False):
        outcomes = run_at_once(submit, submit)

    assert sum(isinstance(outcome, services.SurveyError) for outcome in outcomes) == 1
    assert Response.objects.count() == 1
