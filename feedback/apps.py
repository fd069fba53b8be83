from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Complaints and suggestions")

    def ready(self):
        from feedback import letters  # noqa: F401 (declares the messages of feedback)
