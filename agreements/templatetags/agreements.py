from datetime import timedelta

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements import selectors
from departments.models import Department

register = template.Library()


@register.filter
def working_time(duration: timedelta | None) -> str:
    """A target in business terms: "4 working hours", "1.5 working hours", "30 working minutes"."""
    if duration is None:
        return "—"
    minutes = round(duration.total_seconds() / 60)
    if minutes < 60:
        return ngettext("%(count)d working minute", "%(count)d working minutes", minutes) % {
            "count": minutes
        }
    hours = minutes / 60
    if hours.is_integer():
        return ngettext("%(count)d working hour", "%(count)d working hours", int(hours)) % {
            "count": int(hours)
        }
    return _("%(count)s working hours") % {"count": f"{hours:.2f}".rstrip("0").rstrip(".")}


@register.inclusion_tag("agreements/_department_supply.html", takes_context=True)
def department_supply(context, department: Department) -> dict:
    """What a department supplies, whom it serves and who serves it, for its page."""
    return {
        "department": department,
        "services": department.services.active().order_by("name"),
        "served": selectors.served_departments(department),
        "serves_everyone": selectors.serves_everyone(department),
        "suppliers": selectors.suppliers_of(department),
        "request": context.get("request"),
    }
