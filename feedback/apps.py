from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Complaints and suggestions")

    def ready(self):
        # Declares the messages of complaints and of action plans.
        from feedback import letters, plan_reminders  # noqa: F401
        from feedback.plan_panel import plan_actions_panel
        from surveys.result_panels import register

        register(plan_actions_panel)
