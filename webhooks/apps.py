from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from outbox.destinations import Channel, register
        from webhooks import letters  # noqa: F401 (declares the e-mail about a disabled webhook)
        from webhooks.delivery import deliver, subscribers
        from webhooks.models import Webhook

        register(Channel(Webhook, deliver, subscribers))
