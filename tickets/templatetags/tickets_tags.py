"""Filters of the requests pages: instants and the working time left before a due time."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from tickets.time_left import time_left_phrase

register = template.Library()


@register.filter
def moment(value: datetime | None) -> str:
    """An instant as "23 Nov 2026, 14:30" (in the person's language and time zone), in a <time>
    element."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        date_format(local, "SHORT_DATETIME_FORMAT"),
    )


@register.filter
def time_left(duration: timedelta | None) -> str:
    """Working time left before a due time, where no calendar is at hand (a chat message):
    "3 h 20 min of working time left", "overdue by 30 min" (tickets.time_left)."""
    if duration is None:
        return ""
    return time_left_phrase("overdue" if duration < timedelta(0) else "on_track", duration)
