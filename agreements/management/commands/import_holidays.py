"""`manage.py import_holidays "China office" --years 2026 2027`: import a calendar's public
holidays and make-up days from the maintained libraries; safe to rerun."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agreements.holidays import HolidayImportError, default_years, import_public_holidays
from agreements.models import BusinessCalendar


class Command(BaseCommand):
    help = (
        "Import the public holidays and make-up working days of a business calendar's country "
        "(default: this year and next). Dates the import does not list are never touched."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("calendar", help="the calendar's name or id")
        parser.add_argument(
            "--years", type=int, nargs="+", help="the years to import (default: this and next)"
        )

    def handle(self, *args, calendar: str, years: list[int] | None, **options) -> None:
        found = _calendar(calendar)
        years = years or default_years(timezone.localdate())
        try:
            result = import_public_holidays(found, years)
        except HolidayImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{found}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        if result.fallback_years:
            self.stdout.write(
                self.style.WARNING(
                    f"chinesecalendar does not know {_listed(result.fallback_years)} yet: imported "
                    "from the holidays library instead, whose days off are computed by rule and "
                    "whose make-up days may be missing; check them against the official schedule."
                )
            )
        if result.unknown_years:
            self.stdout.write(
                self.style.WARNING(
                    f"No holiday data for {_listed(result.unknown_years)}: nothing imported."
                )
            )


def _calendar(name_or_id: str) -> BusinessCalendar:
    found = BusinessCalendar.objects.filter(name=name_or_id).first()
    if found is None and name_or_id.isdigit():
        found = BusinessCalendar.objects.filter(pk=int(name_or_id)).first()
    if found is None:
        known = ", ".join(BusinessCalendar.objects.values_list("name", flat=True)) or "none"
        raise CommandError(
            f"No business calendar is named or numbered “{name_or_id}” (known: {known})."
        )
    if not found.country:
        raise CommandError(
            f"The calendar “{found}” has no country; set one (e.g. CN) in the admin first."
        )
    return found


def _listed(years: list[int]) -> str:
    return ", ".join(str(year) for year in years)
