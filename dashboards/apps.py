from django.apps import AppConfig
from django.db import transaction
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self):
        from disputes.signals import breach_waived

        breach_waived.connect(_reopen_day, dispatch_uid="dashboards.reopen_day_on_waiver")
        breach_waived.connect(_forget_dashboards, dispatch_uid="dashboards.forget_on_waiver")


def _reopen_day(sender, ticket, **kwargs) -> None:
    """A waived breach changes figures of a day the daily totals may have settled."""
    from dashboards.services import rollup_reopen_day

    rollup_reopen_day(ticket=ticket)


def _forget_dashboards(sender, ticket, **kwargs) -> None:
    """A waiver changes the figures of both sides of the request: their cached dashboards are
    not served once it is committed (before, another reader could cache the old figures anew)."""
    from dashboards.freshness import forget_dashboards

    departments = [ticket.provider_id, ticket.customer_id]
    transaction.on_commit(lambda: forget_dashboards(departments))
