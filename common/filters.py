"""Form fields and django-filter filters that parse query parameters within sane ranges: an id
that the database can hold, a date within the years Accord can reckon with."""

from datetime import date

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.request import Request

# A database id is a 64-bit signed integer; beyond it PostgreSQL refuses the query outright.
LARGEST_ID = 2**63 - 1
# The dates a period, a week or a filter may name: far wider than any real use, and narrow
# enough that a day or a week added to them stays a date.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class IdField(forms.IntegerField):
    """The id of a row: a positive whole number the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(**kwargs)


class BoundedDateField(forms.DateField):
    """A date from EARLIEST_DATE to LATEST_DATE."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_date_in_range)


def _date_in_range(day: date) -> None:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise forms.ValidationError(
            _("Choose a date from %(earliest)s to %(latest)s."),
            code="out_of_range",
            params={
                "earliest": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                "latest": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
            },
        )


class YesNoField(forms.NullBooleanField):
    """1, true or yes; 0, false or no; in any case (the check box of a form says "on")."""

    widget = forms.TextInput

    def to_python(self, value: object) -> bool | None:
        answer = str(value or "").strip().lower()
        if answer in {"1", "true", "yes", "on"}:
            return True
        if answer in {"0", "false", "no", "off"}:
            return False
        if answer:
            raise forms.ValidationError(_("Say true or false."), code="invalid")
        return None


class IdFilter(django_filters.NumberFilter):
    field_class = IdField


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


def valid_filters(
    filter_set: type[django_filters.FilterSet], request: Request, queryset: QuerySet
) -> QuerySet:
    """`queryset` narrowed by the query parameters through `filter_set`; invalid ones are 400."""
    filters = filter_set(request.query_params, queryset, request=request)
    if not filters.is_valid():
        raise exceptions.ValidationError(filters.errors)
    return filters.qs
