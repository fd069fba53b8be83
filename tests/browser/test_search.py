"""Search in Chromium, in both languages: staff types words of a request (English, or a Chinese
substring) into the search page, sees the result with the words marked, and opens it."""

from datetime import timedelta

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from agreements.models import Priority
from tests.factories import CalendarFactory, ServiceFactory, agreement_in_force
from tickets import services

HOUR = timedelta(hours=1)
SEARCHES = {
    # language: (box label, search button, what is typed, a word of the result marked)
    "en": ("Search requests", "Search", "printer", "printer"),
    "zh-hans": ("搜索请求", "搜索", "打印机", "打印机"),
}


@pytest.fixture
def printer_requests(staff, finance, sales):
    service = ServiceFactory(
        provider=finance, name="Office equipment", default_priority=Priority.P2
    )
    agreement_in_force(
        provider=finance,
        customers=[sales],
        services=[service],
        targets={Priority.P2: (4 * HOUR, 16 * HOUR)},
        calendar=CalendarFactory(name="China office"),
    )
    for title, description in (
        ("The printer on floor 3 jams", "Paper jam every morning."),
        ("三楼打印机卡纸", "每天早上都卡纸。"),
        ("New chair", "Mine is broken."),
    ):
        services.ticket_file(
            requester=staff, service=service, customer=sales, title=title, description=description
        )


@pytest.mark.parametrize("language", SEARCHES)
def test_staff_finds_a_request_by_its_words_and_opens_it(
    page: Page, live_server, log_in, screenshot, staff, printer_requests, language
):
    label, button, typed, marked = SEARCHES[language]
    log_in(staff)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/requests/search/")
    search = page.locator("main").get_by_role("search")
    search.get_by_label(label, exact=True).fill(typed)
    search.get_by_role("button", name=button, exact=True).click()

    results = page.locator("ol.search-results > li")
    expect(results).to_have_count(1)
    expect(results.locator("mark").first).to_have_text(marked)
    expect(results).not_to_contain_text("New chair")
    screenshot(language)
    results.get_by_role("link").first.click()

    expect(page.locator("h1")).to_contain_text("printer" if language == "en" else "打印机")
