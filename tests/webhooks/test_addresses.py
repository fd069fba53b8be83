"""No webhook reaches loopback, private, link-local or reserved addresses (SSRF), and none
speaks plain HTTP, unless an administrator allows it in the settings."""

import pytest
from django.core.exceptions import ValidationError

from common.addresses import validate_webhook_url
from outbox.models import Message
from tests.webhooks.support import send_all, subscribe, webhook_messages

PRIVATE = ["127.0.0.1", "10.1.2.3", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]"]


@pytest.fixture
def private_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


@pytest.mark.parametrize("host", PRIVATE)
def test_a_private_address_is_refused_when_saving(private_refused, host):
    with pytest.raises(ValidationError):
        validate_webhook_url(f"https://{host}/hook")


def test_plain_http_is_refused_when_saving(private_refused):
    with pytest.raises(ValidationError):
        validate_webhook_url("http://hooks.example.com/hook")


def test_a_public_https_url_may_be_saved(private_refused):
    validate_webhook_url("https://hooks.example.com/hook")


@pytest.mark.parametrize("host", PRIVATE)
def test_nothing_is_sent_to_a_private_address_by_default(
    agreement, head, finance, file_request, payroll_extract, receiver, private_refused, host
):
    port = receiver.url.split(":")[2].split("/")[0]
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    webhook.url = f"https://{host}:{port}/accord"  # saved before the setting changed
    webhook.save()
    file_request(payroll_extract)
    send_all(webhook)
    [message] = webhook_messages(webhook)
    assert message.state == Message.State.FAILED
    assert "not public" in message.last_error
    assert receiver.received == []


def test_a_name_resolving_to_loopback_is_refused_at_delivery(
    agreement, head, finance, file_request, payroll_extract, receiver, private_refused
):
    port = receiver.url.split(":")[2].split("/")[0]
    webhook = subscribe(receiver, head, finance, ["tickets.filed"])
    webhook.url = f"https://localhost:{port}/accord"
    webhook.save()
    file_request(payroll_extract)
    send_all(webhook)
    assert "resolves to" in webhook_messages(webhook)[0].last_error
    assert receiver.received == []
