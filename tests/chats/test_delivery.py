"""Events reach the right department's group chat, once, in each app's own shape; failures are
retried, a bot at its limit is held back without losing anything, and a bot its app refuses
for good is marked broken and its head told once."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from agreements.models import Priority
from chats import letters as chat_letters
from chats.models import ChatBot
from outbox import sending
from outbox.destinations import destinations_for
from outbox.models import Message
from tests.support.clock import at
from tickets import letters
from tickets.alerting.breach_scan import breach_scan
from tickets.workflow import Action

VENDORS = ["wecom", "dingtalk", "feishu", "slack", "teams"]


def chat_messages(**filters):
    return Message.objects.filter(destination_id__isnull=False, **filters).order_by("pk")


def send_all():
    return sending.send(list(chat_messages().values_list("pk", flat=True)))


@pytest.mark.parametrize("vendor_name", VENDORS)
def test_a_filed_request_reaches_the_providers_bot_in_its_apps_shape(
    vendor_name, vendor, make_bot, agreement, finance, sales, file_request, payroll_extract
):
    secret = "SEC-signing-secret" if vendor_name in ("dingtalk", "feishu") else ""
    make_bot(finance, vendor_name, secret=secret)
    make_bot(sales, vendor_name)  # the customer's group does not hear of a new request
    ticket = file_request(payroll_extract)
    assert send_all()["sent"] == 1
    assert vendor.problems == []
    [(name, _, _)] = vendor.received
    [text] = vendor.texts()
    assert name == vendor_name
    assert ticket.reference in text
    assert "Payroll data extract" in text and "Sales" in text
    assert "4 h of working time left" in text  # first response due in 4 working hours
    assert f"http://testserver{ticket.get_absolute_url()}" in text or (
        f"{ticket.get_absolute_url()}" in text
    )


def test_links_are_absolute_on_the_sites_address(
    settings, vendor, make_bot, agreement, finance, file_request, payroll_extract
):
    settings.SITE_URL = "https://accord.example.com/"
    make_bot(finance, "slack")
    ticket = file_request(payroll_extract)
    send_all()
    assert (
        f"<https://accord.example.com{ticket.get_absolute_url()}|Open the request>"
        in (vendor.texts()[0])
    )


def test_a_group_reads_its_own_language(
    vendor, make_bot, agreement, finance, file_request, payroll_extract
):
    make_bot(finance, "feishu", language="zh-hans")
    file_request(payroll_extract)
    send_all()
    [text] = vendor.texts()
    assert "新" in text or "请求" in text, text


@pytest.mark.parametrize("vendor_name", ["dingtalk", "feishu"])
def test_a_wrong_signing_secret_is_refused_and_the_bot_marked_broken(
    vendor_name, vendor, make_bot, agreement, finance, file_request, payroll_extract
):
    bot = make_bot(finance, vendor_name, secret="right-secret")
    ChatBot.objects.filter(pk=bot.pk).update(secret="wrong-secret")
    file_request(payroll_extract)
    assert send_all()["failed"] == 1
    assert vendor.received == []
    bot.refresh_from_db()
    assert bot.broken_at is not None
    assert ("310000" if vendor_name == "dingtalk" else "19021") in bot.broken_reason


def test_waiting_on_the_requester_reaches_the_customers_bot(
    vendor, make_bot, agreement, finance, sales, agent, file_request, payroll_extract
):
    from tickets import services

    make_bot(finance, "wecom")
    make_bot(sales, "wecom", hook="sales-group")
    ticket = file_request(payroll_extract)
    services.ticket_transition(
        ticket_id=ticket.pk, by=agent, action=Action.ASK, expected_version=None, comment="Which?"
    )
    [message] = chat_messages(kind=letters.INPUT_NEEDED)
    assert message.destination.department == sales
    sending.send([message.pk])
    [(_, hook, _)] = vendor.received
    assert hook == "sales-group"
    assert "waiting on you" in vendor.texts()[0]


def test_an_approval_offers_the_signed_confirmation_page(
    vendor, make_bot, agreement, finance, file_request, purchase
):
    make_bot(finance, "teams")
    file_request(purchase)
    [message] = chat_messages(kind=letters.APPROVAL_NEEDED)
    sending.send([message.pk])
    card = vendor.received[0][2]["attachments"][0]["content"]
    titles = {action["title"]: action["url"] for action in card["actions"]}
    assert titles["Approve / reject"].startswith("http://127.0.0.1:8000/requests/approvals/")
    assert titles["Open the request"].startswith("http")


def test_a_warning_and_a_breach_reach_the_providers_bot_with_time_left_and_overdue(
    vendor, make_bot, agreement, finance, sales, file_request, payroll_extract, clock_at
):
    make_bot(finance, "dingtalk")
    make_bot(sales, "dingtalk")
    file_request(payroll_extract, priority=Priority.P1)
    clock_at(at(23, 9, 50))
    breach_scan()
    clock_at(at(23, 10, 30))
    breach_scan()
    kinds = list(chat_messages().values_list("kind", "destination_id"))
    finance_bot = ChatBot.objects.get(department=finance)
    assert (letters.WARNING, finance_bot.pk) in kinds and (letters.BREACH, finance_bot.pk) in kinds
    assert all(destination == finance_bot.pk for _, destination in kinds)
    send_all()
    texts = vendor.texts()
    assert any("overdue by 30 min" in text for text in texts), texts


def test_escalations_and_agreements_reach_the_departments_their_kinds_name(
    make_bot, finance, sales, company
):
    for department in (finance, sales, company):
        make_bot(department, "slack")
    bot_of = {bot.department_id: bot for bot in ChatBot.objects.all()}

    def heard(kind, about):
        return [bot for _, bot in destinations_for(kind, [about])]

    escalation = SimpleNamespace(department_id=company.pk)
    assert heard(letters.ESCALATION, escalation) == [bot_of[company.pk]]
    customers = SimpleNamespace(values_list=lambda *fields, flat: [sales.pk])
    event = SimpleNamespace(agreement=SimpleNamespace(provider_id=finance.pk, customers=customers))
    assert heard("agreements.proposed", event) == [bot_of[sales.pk]]
    assert heard("agreements.accepted", event) == [bot_of[finance.pk]]
    assert heard("agreements.rejected", event) == [bot_of[finance.pk]]


def test_a_bot_hears_only_the_kinds_it_receives_and_a_broken_bot_nothing(
    make_bot, agreement, finance, file_request, payroll_extract
):
    make_bot(finance, "slack", kinds=[letters.BREACH])
    make_bot(finance, "slack", broken_at=timezone.now(), broken_reason="404 no_service")
    file_request(payroll_extract)
    assert not chat_messages().exists()


def test_a_message_is_delivered_once_even_when_sent_twice(
    vendor, make_bot, agreement, finance, file_request, payroll_extract
):
    make_bot(finance, "wecom")
    file_request(payroll_extract)
    send_all()
    send_all()
    assert len(vendor.received) == 1


@pytest.mark.parametrize("failure", ["500", "hang"])
def test_a_failed_delivery_is_retried_after_its_delay(
    failure, vendor, make_bot, agreement, finance, file_request, payroll_extract, clock_at
):
    make_bot(finance, "feishu", secret="s3cr3t")
    file_request(payroll_extract)
    vendor.answer = failure
    assert send_all()["failed"] == 1
    message = chat_messages().get()
    assert (message.state, message.attempts) == ("pending", 1)
    vendor.answer = "ok"
    assert send_all()["skipped"] == 1  # not before its retry delay
    clock_at(at(23, 9, 2))
    assert send_all()["sent"] == 1
    assert len(vendor.received) == 1
    assert chat_messages().get().state == "sent"


def test_a_bot_at_its_limit_holds_the_rest_back_and_loses_none(
    vendor, make_bot, agreement, finance, file_request, payroll_extract, clock_at
):
    make_bot(finance, "dingtalk", secret="s3cr3t")
    for number in range(25):
        file_request(payroll_extract, title=f"Payroll {number}")
    counts = send_all()
    assert (counts["sent"], counts["held"]) == (20, 5)
    assert vendor.requests == 20  # the held ones never reached the app
    held = chat_messages(state="pending")
    assert {message.attempts for message in held} == {0}
    assert send_all()["sent"] == 0  # not before a slot frees
    clock_at(
        at(
            23,
            9,
            1,
        )
        + timedelta(seconds=1)
    )
    assert send_all()["sent"] == 5
    assert len(vendor.received) == 25
    titles = {text.split("\n")[1] for text in vendor.texts()}
    assert len(titles) == 25


def test_a_bot_the_app_slows_down_is_held_back(
    vendor, make_bot, agreement, finance, file_request, payroll_extract
):
    make_bot(finance, "dingtalk")
    file_request(payroll_extract)
    vendor.answer = "rate"
    assert send_all()["held"] == 1
    message = chat_messages().get()
    assert (message.state, message.attempts) == ("pending", 0)
    assert message.retry_at >= timezone.now() + timedelta(minutes=9)  # DingTalk blocks 10 min


@pytest.mark.parametrize("vendor_name", VENDORS)
def test_a_refused_bot_is_marked_broken_its_head_told_once_and_nothing_retried(
    vendor_name, vendor, make_bot, agreement, finance, head, file_request, payroll_extract
):
    bot = make_bot(finance, vendor_name)
    file_request(payroll_extract, title="One")
    file_request(payroll_extract, title="Two")
    vendor.answer = "bad"
    counts = send_all()
    assert counts["failed"] == 2
    assert vendor.requests == 1  # the second was not even tried
    bot.refresh_from_db()
    assert bot.broken_at is not None
    assert set(chat_messages().values_list("state", flat=True)) == {"failed"}
    later = timezone.now() + timedelta(days=1)
    assert not chat_messages().filter(sending.claimable(later)).exists()
    [email] = Message.objects.filter(kind=chat_letters.BROKEN)
    assert email.recipient == head
    sending.send([email.pk])
    [sent] = mail.outbox
    assert sent.to == [head.email]
    assert bot.name in sent.subject
    assert "/chats/" in sent.body


def test_the_bots_address_is_never_logged(
    caplog, vendor, make_bot, agreement, finance, file_request, payroll_extract
):
    make_bot(finance, "wecom", hook="TOKEN-4f1c")
    file_request(payroll_extract)
    vendor.answer = "hang"
    send_all()
    message = chat_messages().get()
    assert "TOKEN-4f1c" not in caplog.text
    assert "TOKEN-4f1c" not in message.last_error
    assert "wecom bot" in message.last_error
