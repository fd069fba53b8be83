from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Complaints and suggestions")

    def ready(self):
        # Declares the messages of complaints and of action plans.
        from feedback import letters, plan_reminders  # noqa: F401
