"""Spreadsheet downloads: formula text is neutralised, times are local, memory stays flat."""

import csv
import io
import tracemalloc
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from common.spreadsheets import csv_response, safe_cell, xlsx_response


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_text_that_would_start_a_formula_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Finance", "1-2", "", -3, 2.5, Decimal("-1.5"), None])
def test_other_values_are_left_alone(value):
    assert safe_cell(value) == value


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_a_csv_download_streams_its_rows_with_formulas_neutralised():
    rows = [["name", "score"], ['=HYPERLINK("x")', -2], ["财务部", Decimal("4.5")]]
    response = csv_response(iter(rows), filename="results 2026-11-27.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="results 2026-11-27.csv"' in response["Content-Disposition"]
    assert read_csv(response) == [
        ["name", "score"],
        ['\'=HYPERLINK("x")', "-2"],
        ["财务部", "4.5"],
    ]


def test_a_csv_download_writes_times_in_the_current_time_zone(settings):
    moment = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    with timezone.override("Asia/Shanghai"):
        rows = read_csv(csv_response([["at", "on", "empty"], [moment, date(2026, 1, 2), None]],
                                     filename="x.csv"))  # fmt: skip
    assert rows[1] == ["2026-11-27 09:30", "2026-01-02", ""]


def test_a_non_ascii_file_name_is_kept():
    response = csv_response([["a"]], filename="满意度 2026.csv")
    assert "filename*=utf-8''" in response["Content-Disposition"]


def read_xlsx(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook, [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_an_xlsx_download_holds_the_rows_with_formulas_neutralised():
    moment = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    with timezone.override("Asia/Shanghai"):
        response = xlsx_response(
            iter([["name", "score", "at"], ["@cmd", -2, moment], ["=1+1", 4.5, None]]),
            filename="scorecard 2026-11-27.xlsx",
            sheet_title="Scorecard: Q4/2026",
        )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "scorecard 2026-11-27.xlsx" in response["Content-Disposition"]
    workbook, rows = read_xlsx(response)
    assert workbook.active.title == "Scorecard Q42026"
    assert rows == [
        ["name", "score", "at"],
        ["'@cmd", -2, datetime(2026, 11, 27, 9, 30)],
        ["'=1+1", 4.5, None],
    ]
    assert workbook.active["A3"].data_type == "s"  # text, not a formula


def peak_memory_of_export(count: int) -> int:
    rows = ([f"person {n}", n, "a comment that is not short at all"] for n in range(count))
    tracemalloc.start()
    try:
        response = xlsx_response(rows, filename="x.xlsx", sheet_title="x")
        for _ in response.streaming_content:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow  # large volumes
def test_an_xlsx_export_does_not_hold_its_rows_in_memory():
    small, large = peak_memory_of_export(1_000), peak_memory_of_export(20_000)
    assert large < small * 2
