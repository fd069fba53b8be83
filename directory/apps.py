from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    """The company's directory: single sign-on (OpenID Connect, LDAP), the org chart kept in step
    with LDAP or an org file, and the hand-over of what leavers hold. It sits above `surveys`
    (it hands over requests and approvals, and takes leavers out of surveys); only `dashboards`
    comes after it."""

    name = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from directory import letters  # noqa: F401 (declares the messages about leavers)
