"""Every dashboard table as CSV and XLSX: the figures as numbers, the requests behind a figure
streamed, and text that a spreadsheet would run as a formula neutralised."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.exports import DASHBOARD_TABLES
from tests.support.clock import at

WEEK = {"period": "custom", "from": "2026-11-23", "to": "2026-11-25"}


@pytest.fixture
def as_head(client, head):
    client.force_login(head)
    return client


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content(response)), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def export_url(department, table, fmt):
    return reverse("dashboards:export", args=[department.code, table, fmt])


def test_the_summary_csv_holds_the_weeks_figures(as_head, finance_week, finance):
    response = as_head.get(export_url(finance, "summary", "csv"), WEEK)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        'filename="FIN-supplier-summary-2026-11-23-2026-11-25.csv"'
        in (response["Content-Disposition"])
    )
    header, row = csv_rows(response)
    figures = dict(zip(header, row, strict=True))
    assert figures["Requests"] == "8"
    assert figures["First response compliance (%)"] == "60.0"
    assert figures["Resolution breached"] == "3"


# The week has no chain of hand-offs: tests/dashboards/test_chains.py downloads that table.
@pytest.mark.parametrize("table", [table for table in DASHBOARD_TABLES if table != "chains"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_dashboard_table_downloads_in_both_formats(
    as_head, finance_week, finance, table, fmt
):
    response = as_head.get(export_url(finance, table, fmt), WEEK)
    assert response.status_code == 200
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    assert len(rows) >= 2  # a header and at least one row: the week has data in every table


def test_the_xlsx_keeps_figures_as_numbers(as_head, finance_week, finance, payroll_extract):
    rows = xlsx_rows(as_head.get(export_url(finance, "services", "xlsx"), WEEK))
    header, *groups = rows
    payroll = dict(
        zip(header, next(g for g in groups if g[0] == payroll_extract.name), strict=True)
    )
    assert payroll["Requests"] == 7
    assert payroll["First response breached"] == 2


def test_the_requests_behind_a_figure_download_with_formulas_neutralised(
    as_head, finance_week, finance
):
    ticket = finance_week["F"]
    ticket.title = '=HYPERLINK("http://evil.example","F")'
    ticket.save()
    query = {**WEEK, "target": "first_response", "outcome": "breached"}
    rows = csv_rows(as_head.get(export_url(finance, "requests", "csv"), query))
    titles = {row[1] for row in rows[1:]}
    assert titles == {"C", '\'=HYPERLINK("http://evil.example","F")'}
    xlsx = xlsx_rows(as_head.get(export_url(finance, "requests", "xlsx"), query))
    assert {row[1] for row in xlsx[1:]} == titles


def test_the_scorecard_and_heat_map_download(client, finance_week, hr):
    client.force_login(hr)
    url = reverse("dashboards:scorecard_export", args=["scorecard", "xlsx"])
    _header, first, *_ = xlsx_rows(client.get(url, WEEK))
    assert (first[0], first[1], first[2]) == (1, "Finance", 50.0)
    url = reverse("dashboards:scorecard_export", args=["heatmap", "csv"])
    _header, cell = csv_rows(client.get(url, WEEK))
    assert cell[:3] == ["Finance", "Sales", "8"]


@pytest.mark.parametrize(("table", "fmt"), [("nonsense", "csv"), ("summary", "pdf")])
def test_an_unknown_table_or_format_is_a_404(as_head, finance, table, fmt):
    response = as_head.get(export_url(finance, table, fmt))

    assert response.status_code == 404
    assert not response.has_header("Content-Disposition")


def test_every_request_about_to_breach_downloads(as_head, finance_week, finance, clock_at):
    clock_at(at(25, 11))  # H's warning time: 75 % of its first response's 4 working hours
    query = {**WEEK, "state": "at_risk"}
    rows = csv_rows(as_head.get(export_url(finance, "requests", "csv"), query))
    assert [row[1] for row in rows[1:]] == ["H"]
