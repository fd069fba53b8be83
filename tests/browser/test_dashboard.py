"""Issue 7's head journey: the head of Finance opens the department dashboard, changes the period
(htmx updates the page in place and the URL follows), follows a breach count to its requests and
downloads them as XLSX. The dashboard's screenshot is kept under var/screenshots/."""

import re

from openpyxl import load_workbook
from playwright.sync_api import expect


def test_the_head_reads_the_dashboard_and_follows_a_breach_count_to_its_requests(
    page, log_in, screenshot, request, head
):
    request.getfixturevalue("finance_week")  # time stays frozen at Wednesday 25 November, 09:00
    log_in(head)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboards").click()
    page.get_by_role("link", name="Finance").click()
    expect(page.get_by_role("heading", name="Dashboard of Finance")).to_be_visible()
    expect(page.locator("canvas[data-chart='trend-data']")).to_be_visible()

    page.get_by_label("Period", exact=True).select_option("week")
    expect(page).to_have_url(re.compile(r"period=week"))
    expect(page.get_by_text("Requests filed from 23 Nov 2026 to 25 Nov 2026.")).to_be_visible()
    resolution = page.locator(".figure").filter(has=page.get_by_role("heading", name="Resolution"))
    expect(resolution).to_contain_text("40.0 %")
    page.wait_for_function("() => Chart.getChart(document.querySelector('canvas')) !== undefined")
    screenshot("dashboard")

    resolution.get_by_role("link", name="3 breached").click()
    expect(
        page.get_by_role("heading", name=re.compile("Requests behind the dashboard"))
    ).to_be_visible()
    expect(page.get_by_text("Resolution: breached")).to_be_visible()
    rows = page.locator("table.requests tbody tr")
    expect(rows).to_have_count(3)
    for title in ("B", "D", "F"):
        expect(page.get_by_role("link", name=re.compile(rf"^FIN-\d+ {title}$"))).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename == "FIN-supplier-requests-2026-11-23-2026-11-25.xlsx"
    with download.path().open("rb") as spreadsheet:  # the saved download has no extension
        sheet = load_workbook(spreadsheet, read_only=True).active
        titles = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert titles == {"B", "D", "F"}


def test_the_head_opens_the_scorecard_and_reads_how_a_score_was_computed(
    page, log_in, screenshot, request, head
):
    request.getfixturevalue("finance_week")
    log_in(head)
    page.goto("/dashboards/scorecard/?period=week")
    expect(page.get_by_role("heading", name="Company scorecard")).to_be_visible()
    ranking = page.get_by_role("table").filter(has_text="Survey score")
    finance = ranking.get_by_role("row", name=re.compile("Finance"))
    finance.locator("summary", has_text="50.0 %").click()
    expect(finance.get_by_text("5 met ÷ 10 decided = 50.0 %.")).to_be_visible()
    page.get_by_text("How the scores are computed").click()
    expect(page.get_by_text(re.compile("^Compliance = targets met"))).to_be_visible()
    expect(page.locator("table.heat-map td.heat-2")).to_have_count(1)
    screenshot("scorecard")
