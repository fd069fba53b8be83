"""Publishing a cycle tells the awardees: each person awarded and the head of each department
awarded receive one e-mail through the outbox, written with the publication, with the award, its
reason and a link to the awards page; nothing is sent twice."""

import pytest
from django.core import mail

from departments.models import Profile
from outbox import sending
from outbox.models import Message
from outbox.tasks import send_messages
from recognition import services
from recognition.letters import AWARDED
from recognition.services import RecognitionError
from tests.factories import DepartmentFactory


@pytest.fixture
def picked(november, hr, agent, finance):
    """November with an award to `agent` and one to Finance (whose head is `head`), unpublished."""
    services.award_add(
        cycle_id=november.pk, by=hr, person=agent, title="Most thanked agent",
        reason="Thanked for every request.",
    )  # fmt: skip
    services.award_add(
        cycle_id=november.pk, by=hr, department=finance, title="Best supplier",
        reason="Met every target.",
    )  # fmt: skip
    return november


def awarded_messages() -> list[Message]:
    return list(Message.objects.filter(kind=AWARDED, recipient__isnull=False).order_by("pk"))


def test_publishing_writes_one_message_to_each_awardee_and_head(picked, hr, agent, head):
    assert not awarded_messages()

    services.cycle_publish(cycle_id=picked.pk, by=hr)

    told = {(message.recipient, message.about.title) for message in awarded_messages()}
    assert told == {(agent, "Most thanked agent"), (head, "Best supplier")}


def test_the_messages_roll_back_with_a_publication_that_fails(november, hr):
    with pytest.raises(RecognitionError):
        services.cycle_publish(cycle_id=november.pk, by=hr)  # no award yet

    assert not awarded_messages()


def test_the_e_mails_carry_the_award_its_reason_and_the_awards_page(picked, hr, agent, head):
    services.cycle_publish(cycle_id=picked.pk, by=hr)

    sending.send([message.pk for message in awarded_messages()])

    by_address = {message.to[0]: message for message in mail.outbox}
    to_agent, to_head = by_address[agent.email], by_address[head.email]
    assert to_agent.subject == "You receive an award: Most thanked agent (November 2026)"
    assert "Thanked for every request." in to_agent.body
    assert "/awards/" in to_agent.body
    assert to_head.subject == "Finance receives an award: Best supplier (November 2026)"
    assert "Met every target." in to_head.body
    assert "the department you lead" in to_head.body
    html, _type = to_head.alternatives[0]
    assert "Met every target." in html and "/awards/" in html


def test_a_reason_is_never_html_in_the_e_mail(november, hr, agent):
    services.award_add(cycle_id=november.pk, by=hr, person=agent, title="T", reason="<b>Fast</b>")
    services.cycle_publish(cycle_id=november.pk, by=hr)

    sending.send([message.pk for message in awarded_messages()])

    [sent] = mail.outbox
    html, _type = sent.alternatives[0]
    assert "&lt;b&gt;Fast&lt;/b&gt;" in html and "<b>Fast</b>" not in html


def test_the_e_mail_is_in_the_recipients_language(picked, hr, head):
    Profile.objects.create(user=head, language="zh-hans")
    services.cycle_publish(cycle_id=picked.pk, by=hr)

    sending.send([message.pk for message in awarded_messages()])

    [to_head] = [message for message in mail.outbox if message.to == [head.email]]
    assert to_head.subject == "Finance 获得奖项：Best supplier（November 2026）"
    assert "获奖理由" in to_head.body


def test_publishing_twice_or_a_retried_task_sends_nothing_twice(picked, hr, head):
    services.cycle_publish(cycle_id=picked.pk, by=hr)
    ids = [message.pk for message in awarded_messages()]

    with pytest.raises(RecognitionError):
        services.cycle_publish(cycle_id=picked.pk, by=hr)
    send_messages(ids)
    send_messages(ids)

    assert len(awarded_messages()) == 2
    assert len(mail.outbox) == 2


def test_a_department_without_a_head_is_told_only_through_its_channels(november, hr, company):
    headless = DepartmentFactory(code="OPS", name="Operations", parent=company)
    services.award_add(cycle_id=november.pk, by=hr, department=headless, title="T", reason="R")

    services.cycle_publish(cycle_id=november.pk, by=hr)

    assert not awarded_messages()


def test_the_awardee_finds_the_award_among_their_notifications(picked, hr, agent, client):
    services.cycle_publish(cycle_id=picked.pk, by=hr)
    client.force_login(agent)

    page = client.get("/notifications/").content.decode()

    assert "You receive an award: Most thanked agent (November 2026)" in page
