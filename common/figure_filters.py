"""Template filters writing the figures of `common.figures` for the reader's language; loaded
as `{% load figures %}` (TEMPLATES' `libraries` in config/settings.py)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from common import figures

register = template.Library()

NOTHING = "—"


@register.filter
def percent(value) -> str:
    """A percentage as "66.7 %", or "—" when there is none."""
    shown = figures.percent(value)
    return NOTHING if shown is None else f"{number_format(shown, figures.PERCENT_PLACES)} %"


@register.filter
def percent_of(part, whole) -> str:
    """`{{ answered|percent_of:invited }}`: "66.7 %", or "—" when nothing was invited."""
    shown = figures.percent_of(part, whole)
    return NOTHING if shown is None else f"{number_format(shown, figures.PERCENT_PLACES)} %"


@register.filter
def points(value) -> str:
    """A change of percentage points with its sign: "+3.2 pts", "−1.0 pts"."""
    shown = figures.percent(value)
    if shown is None:
        return NOTHING
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return _("%(sign)s%(value)s pts") % {
        "sign": sign,
        "value": number_format(abs(shown), figures.PERCENT_PLACES),
    }


@register.filter
def rating(value) -> str:
    """A rating or score as "3.91", or "—"."""
    shown = figures.rating(value)
    return NOTHING if shown is None else number_format(shown, figures.RATING_PLACES)


@register.filter
def rating_change(value) -> str:
    """A change of a rating with its sign: "+0.25", "−0.10", "±0.00", or "—"."""
    shown = figures.rating(value)
    if shown is None:
        return NOTHING
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return f"{sign}{number_format(abs(shown), figures.RATING_PLACES)}"
