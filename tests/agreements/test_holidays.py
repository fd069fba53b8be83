"""Public holidays and make-up days imported from chinesecalendar (China) and holidays (elsewhere),
and the `import_holidays` command."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from agreements.holidays import HolidayImportError, default_years, import_public_holidays
from agreements.models import CalendarDay
from tests.factories import CalendarFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOLIDAY, WORKDAY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY


@pytest.fixture
def china_office(db):
    return CalendarFactory(name="China office", country="CN")


@pytest.fixture
def berlin_office(db):
    return CalendarFactory(name="Berlin office", time_zone="Europe/Berlin", country="DE")


def days_of(calendar, kind, first, last):
    return set(
        calendar.days.filter(kind=kind, date__range=(first, last)).values_list("date", flat=True)
    )


def import_command(*args):
    out = StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def test_china_imports_the_2026_national_day_holidays(china_office):
    import_public_holidays(china_office, [2026])

    # chinesecalendar's 2026 schedule: October 1 to 7 off; the 8th is a working Thursday.
    october = days_of(china_office, HOLIDAY, date(2026, 10, 1), date(2026, 10, 31))
    assert october == {date(2026, 10, day) for day in range(1, 8)}
    assert china_office.days.get(date=date(2026, 10, 1)).name == "National Day"


def test_china_imports_the_make_up_weekend_days_as_workdays(china_office):
    import_public_holidays(china_office, [2026])

    assert days_of(china_office, WORKDAY, date(2026, 1, 1), date(2026, 12, 31)) == {
        date(2026, 1, 4),  # Sunday, for New Year's Day
        date(2026, 2, 14),  # Saturday, for the Spring Festival
        date(2026, 2, 28),  # Saturday, for the Spring Festival
        date(2026, 5, 9),  # Saturday, for Labour Day
        date(2026, 9, 20),  # Sunday, for National Day
        date(2026, 10, 10),  # Saturday, for National Day
    }


def test_a_holiday_on_a_weekend_is_stored_too(china_office):
    import_public_holidays(china_office, [2026])

    saturday = china_office.days.get(date=date(2026, 10, 3))
    assert (saturday.kind, saturday.name) == (HOLIDAY, "National Day")


def test_importing_again_changes_nothing(china_office):
    first = import_public_holidays(china_office, [2026])

    again = import_public_holidays(china_office, [2026])

    assert first.created > 0
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)


def test_a_day_added_by_hand_survives_an_import(china_office):
    CalendarDay.objects.create(
        calendar=china_office, date=date(2026, 11, 20), kind=HOLIDAY, name="Office move"
    )

    import_public_holidays(china_office, [2026])

    assert china_office.days.get(date=date(2026, 11, 20)).name == "Office move"


def test_the_import_restores_a_date_the_source_lists(china_office):
    import_public_holidays(china_office, [2026])
    china_office.days.filter(date=date(2026, 10, 2)).update(kind=WORKDAY)

    result = import_public_holidays(china_office, [2026])

    assert result.updated == 1
    assert china_office.days.get(date=date(2026, 10, 2)).kind == HOLIDAY


def test_other_countries_come_from_the_holidays_library(berlin_office):
    result = import_public_holidays(berlin_office, [2026])

    unity_day = berlin_office.days.get(date=date(2026, 10, 3))
    assert (unity_day.kind, unity_day.name) == (HOLIDAY, "German Unity Day")
    assert berlin_office.days.count() == result.created
    assert not berlin_office.days.filter(date=date(2026, 10, 5)).exists()  # a Chinese holiday


def test_a_year_no_source_knows_is_reported_not_fatal(china_office):
    result = import_public_holidays(china_office, [1900, 2026])

    assert result.unknown_years == [1900]
    assert china_office.days.filter(date__year=2026).count() == result.created > 0


def test_a_chinese_year_chinesecalendar_does_not_know_comes_from_the_holidays_library(
    china_office,
):
    # chinesecalendar starts in 2004; the holidays library knows 2003, make-up days included.
    result = import_public_holidays(china_office, [2003])

    assert result.fallback_years == [2003]
    assert china_office.days.get(date=date(2003, 10, 1)).kind == HOLIDAY
    assert china_office.days.get(date=date(2003, 9, 27)).kind == WORKDAY


def test_a_calendar_without_a_country_cannot_import(db):
    calendar = CalendarFactory(name="Remote team", country="")

    with pytest.raises(HolidayImportError, match="Set the country"):
        import_public_holidays(calendar, [2026])


def test_a_country_without_holiday_data_is_refused_clearly(db):
    calendar = CalendarFactory(name="Nowhere", country="XX")

    with pytest.raises(HolidayImportError, match="no public holiday data"):
        import_public_holidays(calendar, [2026])


def test_the_default_years_are_this_one_and_the_next():
    assert default_years(date(2026, 11, 24)) == [2026, 2027]


def test_the_clock_of_an_imported_calendar_opens_on_a_make_up_sunday(china_office):
    import_public_holidays(china_office, [2026])

    clock = china_office.as_clock()

    assert clock.is_open(datetime(2026, 9, 20, 10, tzinfo=SHANGHAI))
    assert not clock.is_open(datetime(2026, 9, 13, 10, tzinfo=SHANGHAI))  # an ordinary Sunday


def test_the_clock_of_an_imported_calendar_closes_on_a_holiday(china_office):
    import_public_holidays(china_office, [2026])

    clock = china_office.as_clock()

    assert not clock.is_open(datetime(2026, 10, 7, 10, tzinfo=SHANGHAI))  # a Wednesday
    assert clock.is_open(datetime(2026, 10, 8, 10, tzinfo=SHANGHAI))


def test_the_command_prints_the_counts(china_office):
    first = import_command("China office", "--years", "2026")
    again = import_command(str(china_office.pk), "--years", "2026")

    created = china_office.days.count()
    assert f"China office: {created} created, 0 updated, 0 unchanged" in first
    assert f"China office: 0 created, 0 updated, {created} unchanged" in again


def test_the_command_imports_this_year_and_the_next_by_default(china_office):
    with time_machine.travel(datetime(2026, 11, 24, 10, tzinfo=SHANGHAI)):
        import_command("China office")

    assert china_office.days.filter(date=date(2026, 10, 1), kind=HOLIDAY).exists()
    assert china_office.days.filter(date=date(2027, 1, 1), kind=HOLIDAY).exists()


def test_the_command_reports_the_years_it_could_not_import(china_office):
    output = import_command("China office", "--years", "1900", "2026")

    assert "No holiday data for 1900" in output


def test_the_command_fails_clearly_for_an_unknown_calendar(china_office):
    with pytest.raises(CommandError, match="No business calendar is named or numbered “Moon”"):
        import_command("Moon")


def test_the_command_fails_clearly_for_a_calendar_without_a_country(db):
    CalendarFactory(name="24x7 operations", country="")

    with pytest.raises(CommandError, match="has no country"):
        import_command("24x7 operations")
