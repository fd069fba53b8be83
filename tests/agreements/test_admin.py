"""The administrator's calendar pages: weekly hours as text, validation, the holiday import."""

from django.urls import reverse

from agreements.models import BusinessCalendar, CalendarDay


def calendar_form(**overrides):
    data = {
        "name": "China office",
        "time_zone": "Asia/Shanghai",
        "country": "CN",
        **{f"hours_{day}": "09:00-12:00, 13:30-18:00" for day in range(5)},
        "hours_5": "",
        "hours_6": "",
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_an_administrator_creates_a_calendar_with_split_shifts(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("admin:agreements_businesscalendar_add"), calendar_form())

    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.weekly_hours["0"] == [["09:00", "12:00"], ["13:30", "18:00"]]
    assert "5" not in calendar.weekly_hours


def test_overlapping_hours_are_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:agreements_businesscalendar_add"),
        calendar_form(hours_0="09:00-12:00, 11:00-13:00"),
    )

    assert response.status_code == 200
    assert "overlap" in response.content.decode().lower()
    assert not BusinessCalendar.objects.exists()


def test_a_malformed_interval_is_an_error_on_its_day(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:agreements_businesscalendar_add"), calendar_form(hours_2="9 to 5")
    )

    assert "is not an interval; write it like 09:00-12:00" in response.content.decode()


def test_an_unknown_time_zone_is_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:agreements_businesscalendar_add"), calendar_form(time_zone="Mars/Olympus")
    )

    assert "is not a known time zone" in response.content.decode()


def test_a_calendar_without_working_time_is_a_form_error(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:agreements_businesscalendar_add"),
        calendar_form(**{f"hours_{day}": "" for day in range(7)}),
    )

    assert response.status_code == 200
    assert not BusinessCalendar.objects.exists()


def test_the_admin_action_imports_chinese_holidays_and_make_up_days(client, admin_user):
    calendar = BusinessCalendar.objects.create(name="China office", country="CN")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:agreements_businesscalendar_changelist"),
        {"action": "import_public_holidays", "_selected_action": [calendar.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert calendar.days.filter(kind=CalendarDay.Kind.HOLIDAY).exists()
    assert calendar.days.filter(kind=CalendarDay.Kind.WORKDAY).exists()
