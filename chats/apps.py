from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = _("Group chats")

    def ready(self) -> None:
        from chats import letters  # noqa: F401 (declares the e-mail about a broken bot)
        from chats.delivery import deliver, subscribers
        from chats.models import ChatBot
        from outbox.destinations import Channel, register

        register(Channel(ChatBot, deliver, subscribers))
