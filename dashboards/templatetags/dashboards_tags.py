"""Template helpers of the dashboards: figures as text, and the links from each figure to the
requests behind it and to the exports of each table."""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from agreements.templatetags.agreements import working_time
from dashboards import scorecard

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    """A share as "92.5 %", or "—" when nothing was decided."""
    if value is None:
        return "—"
    return f"{number_format(value, 1)} %"


@register.filter
def points(value: float | None) -> str:
    """A change of percentage points with its sign: "+3.2 pts", "−1.0 pts"."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return _("%(sign)s%(value)s pts") % {"sign": sign, "value": number_format(abs(value), 1)}


@register.filter
def hours(value: timedelta | None) -> str:
    return working_time(value)


@register.filter
def rating(value: float | None) -> str:
    return "—" if value is None else number_format(value, 2)


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
