from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

from common.text import strip_control_characters_before_save


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The lowest app wires the project-wide input rule: every model's text is stored
        # without control characters (common.text says why there).
        pre_save.connect(strip_control_characters_before_save, dispatch_uid="strip_control")
        from departments.time_zones import remember_on_sign_in

        user_logged_in.connect(remember_on_sign_in, dispatch_uid="remember_time_zone")
