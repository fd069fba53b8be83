"""Survey invitations and reminders through the outbox: one invitation message per person
invited, about the wave, written with it; reminders only to those who have not answered, one
round at a time and only while the wave is open. (Claims, retries and stale claims:
tests/outbox/test_sending.py.)"""

import re
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail

from outbox import sending
from outbox import tasks as outbox_tasks
from outbox.models import Message
from surveys import letters, services
from surveys.models import Invitation, QuestionKind, Wave
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


@pytest.fixture
def wave(campaign, hr, sales, finance, requests_filed, people, frozen):
    requests_filed(customer=sales, provider=finance, people=people(sales, 3),
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    services.campaign_launch(campaign_id=campaign(reminder_days=[3, 7]).pk, by=hr)
    return Wave.objects.get()


def survey_messages():
    return Message.objects.filter(kind__in=[letters.INVITATION, letters.REMINDER])


def unsent() -> list[int]:
    pending = survey_messages().filter(state=Message.State.PENDING)
    return list(pending.order_by("pk").values_list("pk", flat=True))


def send_all() -> None:
    sending.send(unsent())


def test_launching_writes_one_invitation_message_per_person_about_the_wave(wave):
    messages = survey_messages()

    assert sorted((m.kind, m.round) for m in messages) == [(letters.INVITATION, 1)] * 3
    assert {m.about for m in messages} == {wave}
    assert {m.recipient_id for m in messages} == set(
        Invitation.objects.values_list("recipient_id", flat=True)
    )


def test_each_invitation_is_e_mailed_once_with_its_link(wave):
    counts = sending.send(unsent())

    assert counts == Counter(sent=3)
    assert sorted(message.to[0] for message in django_mail.outbox) == [
        "sales1@accord.test", "sales2@accord.test", "sales3@accord.test",
    ]  # fmt: skip
    message = django_mail.outbox[0]
    assert message.subject == "How is Finance serving you? A two-minute survey"
    assert re.search(r"http://127\.0\.0\.1:8000/surveys/answer/[^/\s]+/", message.body)
    assert set(survey_messages().values_list("state", flat=True)) == {Message.State.SENT}


def test_reminders_go_only_to_those_who_have_not_answered(wave, frozen):
    send_all()
    answered = Invitation.objects.order_by("pk").first()
    likert = wave.campaign.questions.filter(kind=QuestionKind.LIKERT)
    services.response_submit(invitation_id=answered.pk, answers={q.pk: 4 for q in likert})
    django_mail.outbox.clear()

    frozen.move_to(LAUNCH + timedelta(days=3, hours=1))
    started = services.send_due_reminders()
    again = services.send_due_reminders()
    send_all()
    send_all()

    assert started == [wave.pk] and again == []
    assert sorted(message.to[0] for message in django_mail.outbox) == [
        "sales2@accord.test", "sales3@accord.test",
    ]  # fmt: skip
    assert all(message.subject.startswith("Reminder:") for message in django_mail.outbox)
    reminders = survey_messages().filter(kind=letters.REMINDER)
    assert sorted(reminders.values_list("round", flat=True)) == [2, 2]


def test_the_second_reminder_comes_on_its_day_and_none_after_the_wave_closes(wave, frozen):
    send_all()
    frozen.move_to(LAUNCH + timedelta(days=3, hours=1))
    services.send_due_reminders()
    send_all()
    frozen.move_to(LAUNCH + timedelta(days=6))
    assert services.send_due_reminders() == []

    frozen.move_to(LAUNCH + timedelta(days=7, hours=1))
    assert services.send_due_reminders() == [wave.pk]
    assert sorted(survey_messages().values_list("round", flat=True)) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    frozen.move_to(wave.closes_at)
    assert sending.send(unsent()) == Counter(cancelled=3)  # closed: nothing owed any more
    assert services.send_due_reminders() == []
    assert len(django_mail.outbox) == 6


def test_launching_queues_the_invitations_after_the_commit(
    campaign, hr, sales, finance, staff, requests_filed, frozen, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    queued = []
    monkeypatch.setattr(
        outbox_tasks.send_messages, "apply_async", lambda args, **kw: queued.append(args)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.campaign_launch(campaign_id=campaign().pk, by=hr)

    assert len(callbacks) == 1
    assert queued == [(unsent(),)]


def test_the_invitation_e_mail_is_in_the_recipients_language(wave):
    from departments.models import Profile

    invitation = Invitation.objects.order_by("pk").first()
    Profile.objects.create(user=invitation.recipient, language="zh-hans")

    to_them = survey_messages().filter(recipient=invitation.recipient)
    sending.send(to_them.values_list("pk", flat=True))

    [message] = django_mail.outbox
    assert message.subject == "Finance 为您服务得怎么样？两分钟小调查"
    assert "填写调查" in message.body


def test_invitations_whose_task_was_lost_are_sent_once_by_the_periodic_requeue_run_twice(
    wave, monkeypatch
):
    batches = []
    monkeypatch.setattr(
        outbox_tasks.send_messages, "apply_async", lambda args, **kw: batches.append(*args)
    )

    outbox_tasks.send_unsent()
    outbox_tasks.send_unsent()
    sent = [sending.send(batch).get("sent", 0) for batch in batches]

    assert sent == [3, 0]
    assert len(django_mail.outbox) == 3
