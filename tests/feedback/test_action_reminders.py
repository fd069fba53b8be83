"""Owners are reminded of an open action once, from three days before its due date, by e-mail
through the outbox; the beat task may run any number of times."""

from datetime import datetime

import pytest
from django.core import mail

from departments.models import Profile
from feedback.models.action_plans import ActionStatus
from feedback.tasks import remind_action_owners
from outbox.models import Message
from tests.support.clock import SHANGHAI

pytestmark = pytest.mark.django_db

THREE_DAYS_BEFORE = datetime(2027, 1, 12, 9, tzinfo=SHANGHAI)  # the action is due 2027-01-15
FOUR_DAYS_BEFORE = datetime(2027, 1, 11, 9, tzinfo=SHANGHAI)


@pytest.fixture
def run_task(django_capture_on_commit_callbacks, clock_at):
    def run(at):
        clock_at(at)
        with django_capture_on_commit_callbacks(execute=True):
            return remind_action_owners()

    return run


def test_the_owner_is_reminded_once_three_days_before_the_due_date(finance_plan, agent, run_task):
    assert run_task(THREE_DAYS_BEFORE) == 1
    assert run_task(THREE_DAYS_BEFORE) == 0

    assert [message.to for message in mail.outbox] == [[agent.email]]
    assert "Answer every payroll question" in mail.outbox[0].body
    assert Message.objects.filter(kind="feedback.action_due").count() == 1
    assert finance_plan.actions.get().reminded_at is not None


def test_the_owner_is_not_reminded_earlier(finance_plan, run_task):
    assert run_task(FOUR_DAYS_BEFORE) == 0

    assert mail.outbox == []


def test_a_done_action_is_not_reminded(finance_plan, run_task):
    finance_plan.actions.update(status=ActionStatus.DONE)

    assert run_task(THREE_DAYS_BEFORE) == 0


def test_the_reminder_reads_in_the_owners_language(finance_plan, agent, run_task):
    Profile.objects.create(user=agent, language="zh-hans")

    run_task(THREE_DAYS_BEFORE)

    assert "改进措施" in mail.outbox[0].subject or "改进计划" in mail.outbox[0].body
