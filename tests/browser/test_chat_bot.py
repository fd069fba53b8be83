"""Issue 14's chat journey: Finance's head adds a signed DingTalk robot, sends it a test message
and reads DingTalk's answer; a request filed to Finance then reaches the robot's group, signed
as DingTalk documents it (checked by the loopback server's own code)."""

import threading
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from agreements.models import Priority
from chats.models import ChatBot
from outbox import sending
from outbox.models import Message
from tests.factories import ServiceFactory, agreement_in_force
from tests.support.chat_vendor import Vendor
from tickets import services

TOKEN = "journey-robot-token"
SECRET = "SECjourney0123456789"


@pytest.fixture
def dingtalk(settings):
    # The stand-in app listens on loopback, which bots may reach only when allowed.
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    server = Vendor()
    server.secrets[TOKEN] = SECRET  # refuses a message without DingTalk's valid signature
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_head_adds_a_dingtalk_robot_tests_it_and_a_new_request_reaches_its_group(
    page, log_in, screenshot, dingtalk, head, staff, finance, sales
):
    service = ServiceFactory(provider=finance, name="Payroll data extract", form_fields=[])
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P2: (timedelta(hours=4), timedelta(hours=16))},
    )

    log_in(head)
    page.goto(finance.get_absolute_url())
    page.get_by_role("link", name="Group chats").click()
    page.get_by_role("link", name="Add a bot").click()
    page.get_by_role("combobox", name="App").select_option("dingtalk")
    page.get_by_role("textbox", name="Name").fill("Finance on duty")
    page.get_by_label("Webhook address").fill(dingtalk.address("dingtalk", TOKEN))
    page.get_by_label("Signing secret").fill(SECRET)
    page.get_by_role("checkbox", name="Request filed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The bot was added. Send it a test message.")).to_be_visible()

    page.get_by_role("button", name="Send a test message").click()
    answer = page.locator("#test-answer")
    expect(answer).to_contain_text("The test message was delivered")
    expect(answer).to_contain_text("HTTP 200")
    expect(answer).to_contain_text('"errcode": 0')
    screenshot("tested")
    [(_, hook, test_message)] = dingtalk.received
    assert hook == TOKEN and "Accord test message" in test_message["markdown"]["text"]

    ticket = services.ticket_file(
        requester=staff, service=service, customer=sales, title="October payroll", answers={}
    )
    bot = ChatBot.objects.get()
    message = Message.objects.get(destination_id=bot.pk, kind="tickets.filed")
    sending.send([message.pk])  # the outbox task, run here (it may have run eagerly already)

    assert dingtalk.problems == []
    assert len(dingtalk.received) == 2  # the test message, then the request: each signed
    [(_, _, filed)] = dingtalk.received[1:]
    assert f"New request {ticket.reference}" in filed["markdown"]["text"]
    assert "October payroll" in filed["markdown"]["text"]
    message.refresh_from_db()
    assert message.state == "sent"
    assert SECRET not in page.content() and TOKEN not in page.content()
