"""A bot whose credentials no encryption key decrypts any longer (the key that encrypted them was
dropped): delivery marks it broken once, its head is told, and its pages ask for them again."""

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from chats import letters as chat_letters
from chats.models import ChatBot
from outbox import sending
from outbox.models import Message
from tests.chats.test_delivery import chat_messages, send_all

LOST_KEY = Fernet.generate_key().decode()
KEY_IN_USE = Fernet.generate_key().decode()


@pytest.fixture
def unreadable_bot(make_bot, finance, settings):
    """Finance's DingTalk bot, saved under a key that has since been replaced."""
    settings.ENCRYPTION_KEYS = [LOST_KEY]
    bot = make_bot(finance, "dingtalk", secret="s3cr3t")
    settings.ENCRYPTION_KEYS = [KEY_IN_USE]
    return bot


def test_a_bot_saved_under_a_lost_key_still_loads_with_its_credentials_unreadable(
    unreadable_bot,
):
    bot = ChatBot.objects.get(pk=unreadable_bot.pk)

    assert bot.credentials_unreadable
    assert (bot.address, bot.secret) == ("", "")


def test_delivery_marks_an_unreadable_bot_broken_tells_its_head_once_and_retries_nothing(
    unreadable_bot, vendor, agreement, file_request, payroll_extract, head
):
    file_request(payroll_extract, title="One")
    file_request(payroll_extract, title="Two")

    waiting = chat_messages().count()  # the two requests and the agreement's acceptance

    assert send_all()["failed"] == waiting
    assert send_all()["failed"] == 0

    assert vendor.requests == 0
    bot = ChatBot.objects.get(pk=unreadable_bot.pk)
    assert bot.broken_at is not None
    assert "cannot be decrypted" in bot.broken_reason
    assert set(chat_messages().values_list("state", flat=True)) == {"failed"}
    [email] = Message.objects.filter(kind=chat_letters.BROKEN)
    assert email.recipient == head


def test_saving_an_unreadable_bot_without_new_credentials_keeps_what_was_stored(
    unreadable_bot, settings
):
    bot = ChatBot.objects.get(pk=unreadable_bot.pk)
    bot.name = "Renamed"
    bot.save()

    settings.ENCRYPTION_KEYS = [KEY_IN_USE, LOST_KEY]  # the key found again
    again = ChatBot.objects.get(pk=bot.pk)
    assert again.name == "Renamed" and again.secret == "s3cr3t"


def test_the_bots_list_and_page_say_the_credentials_must_be_entered_again(
    client, head, finance, unreadable_bot
):
    client.force_login(head)

    listing = client.get(reverse("chats:list", args=[finance.code]))
    page = client.get(reverse("chats:edit", args=[finance.code, unreadable_bot.pk]))

    assert listing.status_code == page.status_code == 200
    assert "Its address or secret cannot be read: enter it again." in listing.content.decode()
    assert "cannot be read, enter it again" in page.content.decode()
    assert 'id="unreadable"' in page.content.decode()


def test_the_page_asks_for_the_address_and_secret_before_saving(
    client, head, finance, unreadable_bot
):
    client.force_login(head)
    form = {"vendor": "dingtalk", "name": "Finance", "language": "en", "address": "", "secret": ""}

    response = client.post(reverse("chats:edit", args=[finance.code, unreadable_bot.pk]), form)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"address", "secret"}


def test_entering_the_credentials_again_makes_the_bot_work(
    client, head, finance, unreadable_bot, vendor
):
    client.force_login(head)
    form = {
        "vendor": "dingtalk",
        "name": "Finance",
        "language": "en",
        "address": vendor.address("dingtalk", "renewed"),
        "secret": "n3w",
    }

    client.post(reverse("chats:edit", args=[finance.code, unreadable_bot.pk]), form)

    bot = ChatBot.objects.get(pk=unreadable_bot.pk)
    assert not bot.credentials_unreadable and bot.secret == "n3w"


def test_the_test_button_of_an_unreadable_bot_marks_it_broken_without_posting(
    client, head, finance, unreadable_bot, vendor
):
    client.force_login(head)

    response = client.post(reverse("chats:test", args=[finance.code, unreadable_bot.pk]))

    assert response.status_code == 200
    assert "cannot be decrypted" in response.content.decode()
    assert vendor.requests == 0
    assert ChatBot.objects.get(pk=unreadable_bot.pk).broken_at is not None


def test_sending_the_broken_email_about_an_unreadable_bot_works(
    unreadable_bot, vendor, agreement, file_request, payroll_extract
):
    file_request(payroll_extract)
    send_all()
    [email] = Message.objects.filter(kind=chat_letters.BROKEN)

    sending.send([email.pk])

    assert Message.objects.get(pk=email.pk).state == Message.State.SENT
