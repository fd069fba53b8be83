"""Dates and times read one way per kind, in the person's language and time zone: "4 Dec 2026,
21:37" in English, "2026年12月4日 21:37" in Chinese, never month first; and date inputs carry ISO
8601 whatever the language."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from common.widgets import DatePicker
from departments.models import Profile
from departments.time_zones import SESSION_KEY
from tickets.templatetags.tickets_tags import moment

EVENING = datetime(2026, 12, 4, 21, 37, tzinfo=ZoneInfo("Asia/Shanghai"))


def rendered(source: str, **context) -> str:
    return Template("{% load tickets_tags %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "4 Dec 2026, 21:37"), ("zh-hans", "2026年12月4日 21:37")],
)
def test_a_moment_reads_day_month_year_and_a_24_hour_time(language, expected):
    with translation.override(language):
        assert f">{expected}</time>" in moment(EVENING)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "4 Dec 2026 · 4 Dec 2026 · 21:37"),
        ("zh-hans", "2026年12月4日 · 2026年12月4日 · 21:37"),
    ],
)
def test_a_date_has_one_format_however_a_template_asks_for_it(language, expected):
    with translation.override(language), timezone.override(ZoneInfo("Asia/Shanghai")):
        text = rendered(
            '{{ at|date }} · {{ at|date:"SHORT_DATE_FORMAT" }} · {{ at|time }}', at=EVENING
        )
    assert text == expected


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_date_picker_carries_an_iso_date_in_every_language(language):
    with translation.override(language):
        html = DatePicker().render("valid_from", date(2026, 12, 4))
    assert 'type="date"' in html
    assert 'value="2026-12-04"' in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_date_is_typed_year_first_in_every_language(language):
    from django import forms

    class DayForm(forms.Form):
        day = forms.DateField()

    with translation.override(language):
        assert DayForm({"day": "2026-12-04"}).is_valid()
        assert not DayForm({"day": "12/04/2026"}).is_valid()


def test_a_person_chooses_a_time_zone_and_their_pages_follow_it(client, head):
    client.force_login(head)

    response = client.post(reverse("preferences"), {"time_zone": "Europe/London"})

    assert response.status_code == 302
    assert Profile.objects.get(user=head).time_zone == "Europe/London"
    assert client.session[SESSION_KEY] == "Europe/London"
    page = client.get(reverse("preferences")).content.decode()
    assert '<option value="Europe/London" selected>' in page


def test_an_unknown_time_zone_is_a_form_error_and_changes_nothing(client, head):
    client.force_login(head)

    response = client.post(reverse("preferences"), {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Profile.objects.filter(user=head).exclude(time_zone="").exists()


def test_the_time_zone_chosen_before_follows_the_person_at_their_next_sign_in(client, head):
    Profile.objects.create(user=head, time_zone="America/New_York")

    client.force_login(head)

    assert client.session[SESSION_KEY] == "America/New_York"


def test_a_request_page_shows_its_times_in_the_persons_time_zone(
    client, staff, agreement, file_request, payroll_extract
):
    ticket = file_request(payroll_extract)  # filed Monday 23 November, 09:00 in Shanghai
    Profile.objects.create(user=staff, time_zone="Europe/London")
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "23 Nov 2026, 01:00" in page
    assert "23 Nov 2026, 09:00" not in page


def test_without_a_chosen_time_zone_pages_show_the_companys(
    client, staff, agreement, file_request, payroll_extract
):
    ticket = file_request(payroll_extract)
    client.force_login(staff)

    page = client.get(ticket.get_absolute_url()).content.decode()

    assert "23 Nov 2026, 09:00" in page
