"""A department's head (or an administrator) manages its group chat bots; nobody else sees them.
Saved credentials are never shown again; "send a test message" shows the app's answer."""

import pytest
from django.urls import reverse

from chats.models import ChatBot

ADDRESS_TOKEN = "a1b2c3-secret-token"


def add_form(vendor, **overrides):
    data = {
        "vendor": "dingtalk",
        "name": "Finance on duty",
        "address": vendor.address("dingtalk", ADDRESS_TOKEN),
        "secret": "SECdeadbeef",
        "language": "zh-hans",
        "kinds": ["tickets.filed", "tickets.breach"],
    }
    data.update(overrides)
    return data


def test_the_head_adds_a_bot_and_its_secrets_are_not_shown_again(client, head, finance, vendor):
    client.force_login(head)
    response = client.post(reverse("chats:add", args=[finance.code]), add_form(vendor))
    bot = ChatBot.objects.get()
    assert response.status_code == 302
    assert (bot.department, bot.created_by, bot.secret) == (finance, head, "SECdeadbeef")
    assert bot.kinds == ["tickets.filed", "tickets.breach"]
    page = client.get(reverse("chats:edit", args=[finance.code, bot.pk])).content.decode()
    assert ADDRESS_TOKEN not in page and "SECdeadbeef" not in page
    assert "••• set, enter a new one to replace it" in page
    listing = client.get(reverse("chats:list", args=[finance.code])).content.decode()
    assert "Finance on duty" in listing and ADDRESS_TOKEN not in listing


def test_saving_without_new_credentials_keeps_the_old_ones(client, head, finance, vendor):
    client.force_login(head)
    client.post(reverse("chats:add", args=[finance.code]), add_form(vendor))
    bot = ChatBot.objects.get()
    client.post(
        reverse("chats:edit", args=[finance.code, bot.pk]),
        add_form(vendor, address="", secret="", name="Renamed"),
    )
    bot.refresh_from_db()
    assert bot.name == "Renamed"
    assert ADDRESS_TOKEN in bot.address and bot.secret == "SECdeadbeef"


def test_the_test_button_shows_the_apps_answer(client, head, finance, vendor, make_bot):
    bot = make_bot(finance, "dingtalk", secret="s3cr3t")
    client.force_login(head)
    response = client.post(reverse("chats:test", args=[finance.code, bot.pk]))
    page = response.content.decode()
    assert "The test message was delivered" in page
    assert "HTTP 200" in page and "errcode" in page
    assert "Accord test message" in vendor.texts()[0]


def test_the_test_button_shows_a_refusal(client, head, finance, vendor, make_bot):
    bot = make_bot(finance, "feishu")
    vendor.answer = "bad"
    client.force_login(head)
    page = client.post(reverse("chats:test", args=[finance.code, bot.pk])).content.decode()
    assert "The test message was not delivered" in page and "19001" in page


@pytest.mark.parametrize("who", ["agent", "staff", "outsider"])
def test_others_cannot_see_or_change_the_bots(request, client, who, finance, make_bot, vendor):
    bot = make_bot(finance, "slack")
    client.force_login(request.getfixturevalue(who))
    for name, args, method in [
        ("chats:list", [finance.code], "get"),
        ("chats:add", [finance.code], "get"),
        ("chats:edit", [finance.code, bot.pk], "get"),
        ("chats:delete", [finance.code, bot.pk], "post"),
        ("chats:test", [finance.code, bot.pk], "post"),
    ]:
        assert getattr(client, method)(reverse(name, args=args)).status_code == 404
    assert ChatBot.objects.filter(pk=bot.pk).exists()
    assert vendor.requests == 0


def test_a_head_of_another_department_cannot_reach_this_ones_bots(
    client, head, sales, finance, make_bot
):
    bot = make_bot(sales, "slack")
    client.force_login(head)
    assert client.get(reverse("chats:list", args=[sales.code])).status_code == 404
    assert client.get(reverse("chats:edit", args=[finance.code, bot.pk])).status_code == 404


def test_an_administrator_manages_any_departments_bots(client, admin_user, finance, make_bot):
    bot = make_bot(finance, "teams")
    client.force_login(admin_user)
    assert client.get(reverse("chats:list", args=[finance.code])).status_code == 200
    client.post(reverse("chats:delete", args=[finance.code, bot.pk]))
    assert not ChatBot.objects.exists()


def test_the_admin_page_does_not_show_the_credentials(client, admin_user, finance, make_bot):
    bot = make_bot(finance, "dingtalk", hook=ADDRESS_TOKEN, secret="SECdeadbeef")
    client.force_login(admin_user)
    page = client.get(reverse("admin:chats_chatbot_change", args=[bot.pk])).content.decode()
    assert ADDRESS_TOKEN not in page and "SECdeadbeef" not in page
