"""A webhook receives the events it subscribes to once, signed as Standard Webhooks says, with
the documented payload; failures are retried with back-off, 410 stops it, and a run of failures
disables it and tells its owner."""

from datetime import timedelta

from django.conf import settings
from django.core import mail

from outbox import sending
from outbox.models import Message
from tests.support.clock import MONDAY_9AM
from tests.webhooks.support import send_all, subscribe, webhook_messages
from webhooks.letters import DISABLED
from webhooks.models import Delivery


def test_a_subscribed_webhook_receives_a_filed_request_once_with_the_documented_payload(
    agreement, head, finance, file_request, payroll_extract, receiver
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    ticket = file_request(payroll_extract)
    send_all(webhook)
    send_all(webhook)

    [received] = receiver.received
    assert received.verified
    [message] = webhook_messages(webhook)
    assert received.headers["webhook-id"] == f"msg_{message.pk}"
    assert received.headers["webhook-timestamp"] == str(int(MONDAY_9AM.timestamp()))
    payload = received.payload
    assert (payload["type"], payload["version"]) == ("tickets.filed", 1)
    request = payload["data"]["request"]
    assert request["number"] == ticket.reference
    assert request["title"] == "October payroll"
    assert request["service"]["name"] == "Payroll data extract"
    assert (request["provider"]["code"], request["customer"]["code"]) == ("FIN", "SALES")
    assert request["resolution_due_at"] == ticket.resolution_due_at.isoformat()
    assert request["link"] == settings.SITE_URL + ticket.get_absolute_url()
    assert message.state == Message.State.SENT


def test_a_webhook_hears_only_its_department_and_its_events(
    agreement, head, admin_user, sales, file_request, payroll_extract, receiver
):
    subscribe(receiver, admin_user, sales, ["tickets.filed"])  # Sales is the customer here
    subscribe(receiver, admin_user, None, ["tickets.breach"])  # company-wide, another event
    everything = subscribe(receiver, admin_user, None, ["tickets.filed"])
    file_request(payroll_extract)
    assert list(Message.objects.filter(destination_id__isnull=False)) == webhook_messages(
        everything
    )


def test_a_webhook_answering_500_is_tried_again_after_its_back_off_with_the_same_id(
    agreement, head, finance, file_request, payroll_extract, receiver, clock_at
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    file_request(payroll_extract)
    receiver.answer(500)
    send_all(webhook)
    [message] = webhook_messages(webhook)
    assert (message.state, message.attempts) == ("pending", 1)
    assert "500" in message.last_error

    send_all(webhook)  # not before its back-off
    assert len(receiver.received) == 1
    clock_at(MONDAY_9AM + timedelta(minutes=1))
    send_all(webhook)
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert second.verified
    assert webhook_messages(webhook)[0].state == Message.State.SENT
    codes = list(Delivery.objects.order_by("at", "pk").values_list("status_code", flat=True))
    assert codes == [500, 200]


def test_a_webhook_that_does_not_answer_in_time_is_tried_again(
    agreement, head, finance, file_request, payroll_extract, receiver, clock_at
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    file_request(payroll_extract)
    receiver.answer(("silent", 1.5))
    send_all(webhook)
    [message] = webhook_messages(webhook)
    assert message.state == Message.State.PENDING
    assert "no answer within 0.5 s" in message.last_error

    clock_at(MONDAY_9AM + timedelta(minutes=1))
    send_all(webhook)
    assert webhook_messages(webhook)[0].state == Message.State.SENT


def test_a_webhook_answering_410_is_disabled_and_never_tried_again(
    agreement, head, finance, file_request, payroll_extract, receiver
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    file_request(payroll_extract)
    receiver.answer(410)
    send_all(webhook)
    [message] = webhook_messages(webhook)
    assert message.state == Message.State.FAILED
    assert "410" in message.last_error
    later = MONDAY_9AM + timedelta(days=1)
    assert not Message.objects.filter(sending.claimable(later), pk=message.pk).exists()
    webhook.refresh_from_db()
    assert not webhook.active


def test_a_webhook_is_disabled_after_a_run_of_failures_and_its_owner_is_told(
    agreement, head, finance, file_request, payroll_extract, receiver, clock_at, settings
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    for number in range(3):
        file_request(payroll_extract, title=f"Payroll {number}")
    receiver.answer(500, 500, 500)
    send_all(webhook)

    webhook.refresh_from_db()
    assert (webhook.active, webhook.consecutive_failures) == (False, 3)
    assert webhook.disabled_at == MONDAY_9AM
    file_request(payroll_extract, title="After")  # a disabled webhook hears of nothing more
    assert len(webhook_messages(webhook)) == 3

    told = Message.objects.filter(kind=DISABLED)
    sending.send([message.pk for message in told])
    [email] = mail.outbox
    assert email.to == [head.email]
    assert webhook.url in email.subject
    assert f"/webhooks/{webhook.pk}/log/" in email.body


def test_a_success_starts_the_count_of_failures_again(
    agreement, head, finance, file_request, payroll_extract, receiver
):
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    file_request(payroll_extract, title="One")
    file_request(payroll_extract, title="Two")
    receiver.answer(500)
    send_all(webhook)
    webhook.refresh_from_db()
    assert (webhook.active, webhook.consecutive_failures) == (True, 0)
