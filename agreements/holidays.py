"""Public holidays and make-up working days of a calendar's country, from maintained libraries.

China comes from `chinesecalendar`, which knows the State Council's schedule: the statutory days
off (in-lieu days included) and the weekend days worked to make up for them. Every other country,
and any year `chinesecalendar` does not know yet, comes from `holidays` (public holidays, and the
weekend workdays it knows, which for China are none until the schedule is published).

The import upserts by date and never deletes: a date the source lists takes the source's kind
(and name, when it has one); a date it does not list is left alone, so days the administrator
added by hand survive every import. An administrator's change to a listed date is undone by the
next import of that year, since nothing records who wrote a row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import chinese_calendar
import holidays
from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import BusinessCalendar, CalendarDay

# A year's official days: date -> (kind, name).
Days = dict[date, tuple[str, str]]

_NAME_LENGTH = CalendarDay._meta.get_field("name").max_length


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Years no source knows: nothing was imported for them.
    unknown_years: list[int] = field(default_factory=list)
    # Chinese years `chinesecalendar` does not know, taken from `holidays` instead: its days off
    # are computed by rule and it may lack the make-up days, so check them once published.
    fallback_years: list[int] = field(default_factory=list)


class HolidayImportError(Exception):
    """The calendar cannot import public holidays; the message says why."""


def default_years(today: date) -> list[int]:
    """The years an import covers unless told otherwise: this one and the next."""
    return [today.year, today.year + 1]


@transaction.atomic
def import_public_holidays(calendar: BusinessCalendar, years: Iterable[int]) -> ImportResult:
    """Create or update the public holidays and make-up days of `calendar`'s country for `years`;
    rows on dates the source does not list are never touched."""
    # The lock serialises two imports of one calendar, which would otherwise both create a date.
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    country = calendar.country.strip().upper()
    if not country:
        raise HolidayImportError(
            _("Set the country of %(calendar)s before importing its public holidays.")
            % {"calendar": calendar}
        )
    result = ImportResult()
    official: Days = {}
    for year in sorted(set(years)):
        days, from_fallback = _official_days(country, year)
        if not days:
            result.unknown_years.append(year)
            continue
        if from_fallback:
            result.fallback_years.append(year)
        official.update(days)
    _upsert(calendar, official, result)
    return result


def _official_days(country: str, year: int) -> tuple[Days, bool]:
    """The days `year` departs from the weekly hours in `country`, and whether they come from the
    fallback source; no days means no source knows the year."""
    if country == "CN":
        try:
            return _chinese_calendar_days(year), False
        except NotImplementedError:  # a year it has no schedule for
            return _holidays_days(country, year), True
    return _holidays_days(country, year), False


def _chinese_calendar_days(year: int) -> Days:
    first, last = date(year, 1, 1), date(year, 12, 31)
    # Without weekends it lists exactly the statutory days off, including weekend days inside a
    # holiday and the in-lieu days; with them it would add every ordinary weekend.
    days_off = chinese_calendar.get_holidays(first, last, include_weekends=False)
    make_up_days = [day for day in chinese_calendar.get_workdays(first, last) if day.weekday() >= 5]
    days: Days = {}
    for day in days_off:
        days[day] = (CalendarDay.Kind.HOLIDAY, _holiday_name(day))
    for day in make_up_days:
        days[day] = (CalendarDay.Kind.WORKDAY, _holiday_name(day))
    return days


def _holiday_name(day: date) -> str:
    return chinese_calendar.get_holiday_detail(day)[1] or ""


def _holidays_days(country: str, year: int) -> Days:
    try:
        # English names whatever the server's locale, so that reruns store the same names.
        found = holidays.country_holidays(country, years=year, language="en_US")
    except NotImplementedError as error:
        raise HolidayImportError(
            _("There is no public holiday data for the country “%(country)s”.")
            % {"country": country}
        ) from error
    days: Days = {day: (CalendarDay.Kind.HOLIDAY, name) for day, name in found.items()}
    for day in found.weekend_workdays:
        if day.year == year:
            days[day] = (CalendarDay.Kind.WORKDAY, "")
    return days


def _upsert(calendar: BusinessCalendar, official: Days, result: ImportResult) -> None:
    existing = {row.date: row for row in calendar.days.filter(date__in=list(official))}
    new: list[CalendarDay] = []
    changed: list[CalendarDay] = []
    for day, (kind, name) in sorted(official.items()):
        name = name[:_NAME_LENGTH]
        row = existing.get(day)
        if row is None:
            new.append(CalendarDay(calendar=calendar, date=day, kind=kind, name=name))
        elif row.kind == kind and (row.name == name or not name):
            result.unchanged += 1
        else:
            row.kind, row.name = kind, name or row.name
            changed.append(row)
    CalendarDay.objects.bulk_create(new)
    CalendarDay.objects.bulk_update(changed, ["kind", "name"])
    result.created += len(new)
    result.updated += len(changed)
