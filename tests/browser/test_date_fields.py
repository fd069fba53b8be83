"""Every date input works in both languages: Chromium's date picker accepts only ISO 8601
values, so a page in Chinese that wrote `2026/12/04` into one would see it dropped (a new draft
could not be saved, "edit draft" blanked its dates)."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from tests.factories import CalendarFactory, ServiceFactory, agreement_in_force
from tests.support.clock import HOUR

LANGUAGES = ["en", "zh-hans"]
TARGETS = {"P1": (1 * HOUR, 4 * HOUR), "P3": (8 * HOUR, 40 * HOUR)}


def in_language(page: Page, live_server, language: str) -> None:
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


def date_input(page: Page, name: str):
    field = page.locator(f"input[type=date][name={name}]")
    expect(field).to_have_count(1)
    return field


def is_valid(field) -> bool:
    return field.evaluate("input => input.validity.valid")


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_agreement_draft_keeps_its_dates_when_saved_and_edited(
    page, live_server, log_in, head, finance, sales, language
):
    CalendarFactory(name="China office")
    ServiceFactory(provider=finance, name="Payroll data extract")
    log_in(head)
    in_language(page, live_server, language)

    page.goto(live_server.url + reverse("agreements:create", args=[finance.code]))
    valid_from = date_input(page, "valid_from")
    assert valid_from.input_value() != "", "the suggested first day must survive the picker"
    assert is_valid(valid_from)
    page.locator("input[name=title]").fill("Finance services for Sales")
    page.locator("select[name=calendar]").select_option(label="China office")
    page.get_by_label("Payroll data extract (FIN)").check()
    page.locator(f"input[name=customers][value='{sales.pk}']").check()
    page.locator("input[name=first_response_P3]").fill("8")
    page.locator("input[name=resolution_P3]").fill("40")
    valid_from.fill("2026-12-10")
    date_input(page, "valid_until").fill("2027-03-04")
    page.locator("form button.primary[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()

    agreement = Agreement.objects.get(title="Finance services for Sales")
    page.goto(live_server.url + reverse("agreements:edit", args=[agreement.pk]))
    expect(date_input(page, "valid_from")).to_have_value("2026-12-10")
    expect(date_input(page, "valid_until")).to_have_value("2027-03-04")
    page.locator("form button.primary[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    agreement.refresh_from_db()
    assert (agreement.valid_from, agreement.valid_until) == (date(2026, 12, 10), date(2027, 3, 4))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_question_of_a_request_form_takes_a_picked_date(
    page, live_server, log_in, staff, finance, sales, language
):
    service = ServiceFactory(
        provider=finance,
        name="Payroll data extract",
        form_fields=[{"name": "month", "label": "Which month", "type": "date", "required": True}],
    )
    agreement_in_force(provider=finance, customers=[sales], services=[service], targets=TARGETS)
    log_in(staff)
    in_language(page, live_server, language)

    page.goto(live_server.url + reverse("tickets:new", args=[service.pk]))
    page.locator("input[name=title]").fill("November payroll")
    month = date_input(page, "answer_month")
    month.fill("2026-11-01")
    assert is_valid(month)
    page.locator("form button.primary[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("November payroll")
    assert service.tickets.get().answers["month"] == "2026-11-01"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_dashboards_custom_period_keeps_its_days(
    page, live_server, log_in, head, finance, language
):
    log_in(head)
    in_language(page, live_server, language)
    query = "?period=custom&from=2026-10-01&to=2026-11-30"
    page.goto(live_server.url + reverse("dashboards:department", args=[finance.code]) + query)
    expect(date_input(page, "from")).to_have_value("2026-10-01")
    expect(date_input(page, "to")).to_have_value("2026-11-30")
    assert is_valid(date_input(page, "from"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_survey_campaigns_first_day_survives_the_picker(page, live_server, log_in, hr, language):
    log_in(hr)
    in_language(page, live_server, language)
    page.goto(live_server.url + reverse("surveys:campaign_new"))
    starts_on = date_input(page, "starts_on")
    assert starts_on.input_value() != ""
    assert is_valid(starts_on)
