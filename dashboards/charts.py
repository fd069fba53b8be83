"""What the charts draw, as JSON for `json_script` (static/js/dashboards.js reads it): the same
figures as the tables beside them, with their labels translated here."""

from __future__ import annotations

from django.utils.translation import gettext as _

from common import figures
from dashboards.selectors import Dashboard


def _rounded(value: float | None) -> float | None:
    """The table's figure (common.figures), as a number the chart script can plot."""
    shown = figures.percent(value)
    return None if shown is None else float(shown)


def trend_chart(dashboard: Dashboard) -> dict:
    return {
        "labels": [point.week.isoformat() for point in dashboard.trend],
        "series": [
            {
                "label": _("First response compliance (%)"),
                "data": [_rounded(p.figures.first_response_rate) for p in dashboard.trend],
            },
            {
                "label": _("Resolution compliance (%)"),
                "data": [_rounded(p.figures.resolution_rate) for p in dashboard.trend],
            },
        ],
        "max": 100,
    }


def services_chart(dashboard: Dashboard) -> dict:
    groups = dashboard.by_service
    return {
        "labels": [group.label for group in groups],
        "series": [
            {
                "label": _("First response breached"),
                "data": [group.figures.first_response_breached for group in groups],
            },
            {
                "label": _("Resolution breached"),
                "data": [group.figures.resolution_breached for group in groups],
            },
        ],
        "stacked": True,
    }
