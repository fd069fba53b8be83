"""E-mail through a real SMTP server, sent by a real Celery worker consuming from Redis, and what
becomes of it while Redis is down."""

import logging
import time

import pytest
from django.conf import settings as django_settings

from outbox import sending
from outbox import tasks as outbox_tasks
from outbox.models import Message
from tests.factories import ServiceFactory
from tests.support.celery import redis_down, redis_worker, wait_until
from tickets import letters, services
from tickets.models import Ticket


def filed():
    return Message.objects.filter(kind=letters.FILED)


def all_sent() -> bool:
    return filed().exists() and not filed().exclude(state=Message.State.SENT).exists()


@pytest.fixture
def payroll(finance):
    return ServiceFactory(provider=finance, name="Payroll data extract")


@pytest.fixture
def file_payroll_request(staff, sales, payroll):
    def file():
        return services.ticket_file(
            requester=staff, service=payroll, customer=sales, title="October payroll"
        )

    return file


def test_each_recipient_gets_one_message_with_subject_and_message_id(
    smtp_server, file_payroll_request, agent, head
):
    ticket = file_payroll_request()

    assert sending.send(filed().values_list("pk", flat=True))["sent"] == 2

    assert len(smtp_server.messages) == 2
    for person in (agent, head):
        [message] = smtp_server.addressed_to(person.email)
        row = filed().get(recipient=person)
        assert message["Subject"] == f"[{ticket.reference}] October payroll: new request"
        assert message["Message-ID"] == row.message_id


def test_the_message_has_a_text_and_an_html_part_with_the_absolute_link(
    smtp_server, file_payroll_request, agent
):
    ticket = file_payroll_request()

    sending.send([filed().get(recipient=agent).pk])

    [message] = smtp_server.messages
    link = f"{django_settings.SITE_URL}{ticket.get_absolute_url()}"
    assert message.get_content_type() == "multipart/alternative"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_emails_of_a_filed_request_once(
    smtp_server, file_payroll_request, agent, head
):
    with redis_worker():
        file_payroll_request()
        wait_until(all_sent)

    assert sorted(message["To"] for message in smtp_server.messages) == [agent.email, head.email]
    assert {message["Message-ID"] for message in smtp_server.messages} == {
        row.message_id for row in filed()
    }


def test_filing_while_redis_is_down_saves_the_request_at_once_and_the_email_waits(
    smtp_server, file_payroll_request, agent, head, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with redis_down(), django_capture_on_commit_callbacks(execute=True):
        ticket = file_payroll_request()

    assert time.monotonic() - started < 5
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert set(filed().values_list("state", flat=True)) == {"pending"}
    assert smtp_server.messages == []


def test_with_redis_down_a_change_tries_the_broker_once_not_once_per_email(
    file_payroll_request, agent, head, django_capture_on_commit_callbacks, caplog
):
    with (
        caplog.at_level(logging.WARNING, logger="outbox.services"),
        redis_down(),
        django_capture_on_commit_callbacks(execute=True),
    ):
        file_payroll_request()

    assert filed().count() == 2
    assert len([r for r in caplog.records if "not queued" in r.getMessage()]) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_once_redis_is_back_the_periodic_requeue_sends_the_waiting_emails(
    smtp_server, file_payroll_request, agent, head
):
    with redis_down():
        file_payroll_request()
    assert set(filed().values_list("state", flat=True)) == {"pending"}

    with redis_worker():
        outbox_tasks.send_unsent.delay()
        wait_until(all_sent)

    assert sorted(message["To"] for message in smtp_server.messages) == [agent.email, head.email]
