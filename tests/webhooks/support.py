"""Plain helpers of the webhook tests."""

from outbox import sending
from outbox.models import Message
from webhooks.models import Webhook


def subscribe(receiver, owner, department, events, **options) -> Webhook:
    webhook = Webhook.objects.create(
        owner=owner, department=department, url=receiver.url, events=events, **options
    )
    receiver.secret = webhook.secret
    return webhook


def webhook_messages(webhook) -> list[Message]:
    return list(webhook.messages.order_by("pk"))


def send_all(webhook) -> None:
    sending.send([message.pk for message in webhook.messages.all()])
