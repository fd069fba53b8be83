"""One e-mail per person per wave: someone asked to rate three departments receives one
invitation listing the three, each with its own single-use link that answers its department;
a reminder lists only the departments still unanswered, and none comes once all are answered.
Running the launcher, the reminder job and the sending twice sends nothing twice."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from outbox import sending
from outbox import tasks as outbox_tasks
from outbox.models import Message
from surveys import letters, services
from surveys.models import Invitation, QuestionKind, Response, Wave
from tests.factories import DepartmentFactory
from tests.support.clock import LAUNCH

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^Rate (?P<department>.+): http://127\.0\.0\.1:8000(?P<path>/surveys/\S+/)$")


@pytest.fixture
def frozen():
    with time_machine.travel(LAUNCH, tick=False) as traveller:
        yield traveller


@pytest.fixture
def three_departments(finance, human_resources):
    return [finance, human_resources, DepartmentFactory(code="IT", name="IT")]


@pytest.fixture
def wave(campaign, hr, staff, sales, three_departments, requests_filed, frozen):
    """`staff` of Sales worked with Finance, Human Resources and IT; reminded after 3 days."""
    for provider in three_departments:
        requests_filed(customer=sales, provider=provider, people=[staff],
                       filed_at=LAUNCH - timedelta(days=3))  # fmt: skip
    services.campaign_launch(campaign_id=campaign(reminder_days=[3, 7]).pk, by=hr)
    return Wave.objects.get()


def send_pending() -> None:
    pending = Message.objects.filter(
        kind__in=[letters.INVITATION, letters.REMINDER], state=Message.State.PENDING
    )
    sending.send(list(pending.values_list("pk", flat=True)))


def links_in(email) -> dict[str, str]:
    """Each department the e-mail lists, with the path of its link."""
    matches = (LINE.match(line) for line in email.body.splitlines())
    return {match["department"]: match["path"] for match in matches if match}


def answers_to(wave) -> dict[str, str]:
    data = {}
    for question in wave.campaign.questions.all():
        if question.kind == QuestionKind.LIKERT:
            data[f"q{question.pk}"] = "4"
    return data


def remind(frozen, wave, days=3):
    frozen.move_to(LAUNCH + timedelta(days=days, hours=1))
    return services.send_due_reminders()


def test_a_person_asked_to_rate_three_departments_gets_one_e_mail_listing_the_three(wave, staff):
    assert Invitation.objects.filter(recipient=staff).count() == 3

    send_pending()

    [email] = mail.outbox
    assert email.to == ["staff@accord.test"]
    assert email.subject == "How are 3 departments serving you? A short survey"
    links = links_in(email)
    assert sorted(links) == ["Finance", "Human Resources", "IT"]
    assert len(set(links.values())) == 3
    html = email.alternatives[0][0]
    assert all(f'href="http://127.0.0.1:8000{path}"' in html for path in links.values())


def test_each_link_answers_its_own_department_once(client, wave):
    send_pending()
    [email] = mail.outbox

    for path in links_in(email).values():
        assert client.post(path, answers_to(wave)).status_code == 200
        assert client.get(path).status_code == 410  # used: already answered

    rated = Response.objects.values_list("rated_department__name", flat=True)
    assert sorted(rated) == ["Finance", "Human Resources", "IT"]
    assert not Invitation.objects.filter(answered=False).exists()


def test_the_reminder_lists_only_the_departments_still_unanswered(client, wave, frozen):
    send_pending()
    [invitation] = mail.outbox
    client.post(links_in(invitation)["IT"], answers_to(wave))
    mail.outbox.clear()

    assert remind(frozen, wave) == [wave.pk]
    send_pending()

    [reminder] = mail.outbox
    assert reminder.subject == "Reminder: how are 2 departments serving you?"
    assert sorted(links_in(reminder)) == ["Finance", "Human Resources"]


def test_a_reminder_for_one_department_left_reads_as_before(client, wave, frozen):
    send_pending()
    [invitation] = mail.outbox
    links = links_in(invitation)
    client.post(links["IT"], answers_to(wave))
    client.post(links["Finance"], answers_to(wave))
    mail.outbox.clear()

    remind(frozen, wave)
    send_pending()

    [reminder] = mail.outbox
    assert reminder.subject == "Reminder: how is Human Resources serving you?"
    assert "/surveys/answer/" in reminder.body and "Rate " not in reminder.body


def test_no_reminder_once_every_department_is_answered(client, wave, frozen):
    send_pending()
    [invitation] = mail.outbox
    for path in links_in(invitation).values():
        client.post(path, answers_to(wave))
    mail.outbox.clear()

    remind(frozen, wave)
    send_pending()

    assert mail.outbox == []
    assert not Message.objects.filter(kind=letters.REMINDER).exists()


def test_a_reminder_written_before_the_last_answer_is_withdrawn(client, wave, frozen):
    send_pending()
    [invitation] = mail.outbox
    mail.outbox.clear()
    remind(frozen, wave)  # written while all three are unanswered
    for path in links_in(invitation).values():
        client.post(path, answers_to(wave))

    send_pending()

    assert mail.outbox == []
    reminder = Message.objects.get(kind=letters.REMINDER)
    assert (reminder.state, reminder.cancel_reason) == ("cancelled", "answered")


def test_the_launcher_the_reminder_job_and_the_sending_run_twice_send_nothing_twice(
    wave, frozen, monkeypatch
):
    assert services.launch_due_campaigns() == []
    batches = []
    monkeypatch.setattr(
        outbox_tasks.send_messages, "apply_async", lambda args, **kw: batches.append(*args)
    )
    outbox_tasks.send_unsent()
    outbox_tasks.send_unsent()
    for batch in batches:
        sending.send(batch)

    assert remind(frozen, wave) == [wave.pk]
    assert remind(frozen, wave) == []
    send_pending()
    send_pending()

    assert [email.subject for email in mail.outbox] == [
        "How are 3 departments serving you? A short survey",
        "Reminder: how are 3 departments serving you?",
    ]


def test_the_campaign_page_counts_people_e_mailed(client, hr, wave):
    assert Message.objects.filter(kind=letters.INVITATION).count() == 1
    client.force_login(hr)
    progress = reverse("surveys:wave_progress", args=[wave.pk])

    assert "Sent 0 of 1" in client.get(progress).text
    send_pending()
    body = client.get(progress).text
    assert "Sent 1 of 1" in body and "Answered 0 of 3 sent" in body


def test_the_e_mail_lists_the_departments_in_chinese(wave, staff):
    from departments.models import Profile

    Profile.objects.create(user=staff, language="zh-hans")

    send_pending()

    [email] = mail.outbox
    assert email.subject == "3 个部门为您服务得怎么样？一份简短调查"
    assert "评价Finance" in email.body


def test_a_message_written_about_one_invitation_before_still_sends_about_that_one(wave, staff):
    """Rows queued per invitation before this change (and still pending) keep their meaning."""
    from outbox.services import queue_each

    Message.objects.filter(kind=letters.INVITATION).delete()
    it = Invitation.objects.get(rated_department__name="IT")
    queue_each(letters.INVITATION, [(it, staff)])
    queue_each(letters.REMINDER, [(wave, staff)], round=2)  # and a new one, in the same batch

    send_pending()

    subjects = sorted(email.subject for email in mail.outbox)
    assert subjects == [
        "How is IT serving you? A two-minute survey",
        "Reminder: how are 3 departments serving you?",
    ]
