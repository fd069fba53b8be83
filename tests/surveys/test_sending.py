"""Sending invitations and reminders through the outbox of invitation rows: each e-mail once,
reminders only to those who have not answered, and only while the wave is open."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail

from surveys import mail, services, tasks
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


def ids():
    return list(Invitation.objects.order_by("pk").values_list("pk", flat=True))


def test_each_invitation_is_e_mailed_once_with_its_link(wave):
    counts = mail.send_invitations(ids())

    assert counts == {"sent": 3, "failed": 0, "skipped": 0}
    assert sorted(message.to[0] for message in django_mail.outbox) == [
        "sales1@accord.test", "sales2@accord.test", "sales3@accord.test",
    ]  # fmt: skip
    message = django_mail.outbox[0]
    assert message.subject == "How is Finance serving you? A two-minute survey"
    assert re.search(r"http://127\.0\.0\.1:8000/surveys/answer/[^/\s]+/", message.body)
    invitation = Invitation.objects.get(recipient__email=message.to[0])
    assert message.extra_headers["Message-ID"] == invitation.message_id(1)
    assert set(Invitation.objects.values_list("emails_sent", flat=True)) == {1}


def test_sending_twice_sends_nothing_twice(wave):
    mail.send_invitations(ids())

    again = mail.send_invitations(ids())

    assert again == {"sent": 0, "failed": 0, "skipped": 3}
    assert len(django_mail.outbox) == 3


def test_a_row_claimed_by_a_live_worker_is_skipped_until_its_claim_is_stale(wave, frozen):
    Invitation.objects.update(claimed_at=LAUNCH, attempts=1)

    assert mail.send_invitations(ids())["skipped"] == 3
    assert mail.requeue_unsent(lambda batch: None) == 0

    frozen.move_to(LAUNCH + mail.STALE_CLAIM + timedelta(seconds=1))
    queued = []
    assert mail.requeue_unsent(queued.append) == 3
    assert mail.send_invitations(queued[0])["sent"] == 3


def test_a_failed_send_is_tried_again(wave, settings):
    settings.EMAIL_BACKEND = "tests.surveys.test_sending.RefusingBackend"

    assert mail.send_invitations(ids())["failed"] == 3
    assert set(Invitation.objects.values_list("emails_sent", "claimed_at")) == {(0, None)}
    assert Invitation.objects.first().last_error.startswith("ConnectionRefusedError")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert mail.send_invitations(ids())["sent"] == 3


def test_reminders_go_only_to_those_who_have_not_answered(wave, frozen):
    mail.send_invitations(ids())
    answered = Invitation.objects.order_by("pk").first()
    likert = wave.campaign.questions.filter(kind=QuestionKind.LIKERT)
    services.response_submit(invitation_id=answered.pk, answers={q.pk: 4 for q in likert})
    django_mail.outbox.clear()

    frozen.move_to(LAUNCH + timedelta(days=3, hours=1))
    started = services.send_due_reminders()
    again = services.send_due_reminders()
    mail.send_invitations(ids())
    mail.send_invitations(ids())

    assert started == [wave.pk] and again == []
    assert sorted(message.to[0] for message in django_mail.outbox) == [
        "sales2@accord.test", "sales3@accord.test",
    ]  # fmt: skip
    assert all(message.subject.startswith("Reminder:") for message in django_mail.outbox)
    assert django_mail.outbox[0].extra_headers["Message-ID"].startswith("<accord.survey.")


def test_the_second_reminder_comes_on_its_day_and_none_after_the_wave_closes(wave, frozen):
    mail.send_invitations(ids())
    frozen.move_to(LAUNCH + timedelta(days=3, hours=1))
    services.send_due_reminders()
    mail.send_invitations(ids())
    frozen.move_to(LAUNCH + timedelta(days=6))
    assert services.send_due_reminders() == []

    frozen.move_to(LAUNCH + timedelta(days=7, hours=1))
    assert services.send_due_reminders() == [wave.pk]
    frozen.move_to(wave.closes_at)
    assert mail.send_invitations(ids())["skipped"] == 3  # closed: nothing owed any more
    assert len(django_mail.outbox) == 6


def test_the_periodic_requeue_queues_what_a_lost_task_left(wave, monkeypatch):
    queued = []
    monkeypatch.setattr(
        tasks.send_invitations, "apply_async", lambda args, **kw: queued.append(args)
    )

    assert tasks.send_unsent_invitations() == 3
    assert queued == [(ids(),)]


def test_launching_queues_the_invitations_after_the_commit(
    campaign, hr, sales, finance, staff, requests_filed, frozen, monkeypatch,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    requests_filed(customer=sales, provider=finance, people=[staff],
                   filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    queued = []
    monkeypatch.setattr(
        tasks.send_invitations, "apply_async", lambda args, **kw: queued.append(args)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.campaign_launch(campaign_id=campaign().pk, by=hr)

    assert len(callbacks) == 1
    assert queued == [(ids(),)]


def test_the_invitation_e_mail_is_in_the_recipients_language(wave):
    from departments.models import Profile

    invitation = Invitation.objects.order_by("pk").first()
    Profile.objects.create(user=invitation.recipient, language="zh-hans")

    mail.send_invitations([invitation.pk])

    [message] = django_mail.outbox
    assert message.subject == "Finance 为您服务得怎么样？两分钟小调查"
    assert "填写调查" in message.body


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("no SMTP server")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no SMTP server")


def test_the_periodic_requeue_run_twice_still_sends_each_invitation_once(wave):
    batches = []
    mail.requeue_unsent(batches.append)
    mail.requeue_unsent(batches.append)

    sent = [mail.send_invitations(batch)["sent"] for batch in batches]

    assert sent == [3, 0]
    assert len(django_mail.outbox) == 3
