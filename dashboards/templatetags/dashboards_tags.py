"""Template helpers of the dashboards: figures as text, and the links from each figure to the
requests behind it and to the exports of each table."""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from agreements.templatetags.agreements import working_time
from common import figure_filters
from dashboards import scorecard

register = template.Library()


# The figures are written by the one rule of common.figures, as everywhere else.
register.filter("percent", figure_filters.percent)
register.filter("points", figure_filters.points)
register.filter("rating", figure_filters.rating)


@register.filter
def hours(value: timedelta | None) -> str:
    return working_time(value)


@register.filter
def heat_class(figures) -> str:
    return scorecard.heat_class(figures)


def _query(context, extra: dict) -> str:
    params = dict(context["period_query"])
    params["view"] = context["side"]
    params.update(
        {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in extra.items()
            if value not in (None, "")
        }
    )
    return urlencode(params)


@register.simple_tag(takes_context=True)
def drill_url(context, **filters) -> str:
    """The requests behind a figure: this dashboard's department, side and period, narrowed by
    `filters` (target, outcome, state, service, other, priority, week)."""
    url = reverse("dashboards:requests", args=[context["department"].code])
    return f"{url}?{_query(context, filters)}"


@register.simple_tag(takes_context=True)
def export_url(context, table: str, fmt: str, **filters) -> str:
    """A table of this dashboard as a CSV or XLSX download."""
    url = reverse("dashboards:export", args=[context["department"].code, table, fmt])
    return f"{url}?{_query(context, filters)}"
