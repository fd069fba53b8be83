from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from disputes.signals import breach_waived

        breach_waived.connect(_reopen_day, dispatch_uid="dashboards.reopen_day_on_waiver")


def _reopen_day(sender, ticket, **kwargs) -> None:
    """A waived breach changes figures of a day the daily totals may have settled."""
    from dashboards.services import rollup_reopen_day

    rollup_reopen_day(ticket=ticket)
