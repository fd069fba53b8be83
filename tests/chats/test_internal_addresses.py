"""A bot's address is typed by a department head and the test button shows the answer: like a
webhook, a bot never reaches a private, loopback or link-local address unless an administrator
allows it (WEBHOOKS_ALLOW_PRIVATE_ADDRESSES), checked where the connection is made."""

from chats.delivery import send_test
from chats.models import ChatBot


def test_a_bot_pointed_at_an_internal_address_is_refused_before_any_request(
    vendor, make_bot, finance, settings
):
    bot = make_bot(finance, "slack")
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False

    answer = send_test(bot)

    assert not answer.outcome.delivered
    assert "not allowed" in answer.body
    assert vendor.requests == 0  # nothing reached the loopback server


def test_a_bot_on_an_internal_address_delivers_when_an_administrator_allows_it(
    vendor, make_bot, finance
):
    bot = make_bot(finance, "slack")

    assert send_test(bot).outcome.delivered
    assert ChatBot.objects.get(pk=bot.pk).broken_at is None
