"""Spreadsheet downloads (CSV and XLSX) that stream in constant memory and never run a formula.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is read by spreadsheet
programs as a formula (CSV injection); such text gets a leading apostrophe, which they show as
text. Numbers stay numbers, negative ones included.

Whatever is stored, the file is valid: characters an XLSX cannot hold (XML 1.0 forbids the C0
controls other than tab, newline and carriage return, and U+FFFE/U+FFFF) are dropped from every
cell, in CSV too so that both formats show the same text. Input strips them already
(common.text); this covers rows stored before that, or by other means.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Wider than openpyxl's ILLEGAL_CHARACTERS_RE (C0 only), and DEL for the same text as input.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def safe_cell(value: object) -> object:
    """The value as it may go into a spreadsheet: characters a spreadsheet cannot hold are
    dropped, and text that would start a formula is quoted."""
    if not isinstance(value, str):
        return value
    value = UNWRITABLE.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _local(value: object) -> object:
    """Spreadsheets have no time zones: aware datetimes are written in the current one."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel reads the file as UTF-8 (Chinese names stay readable)
    for row in rows:
        yield writer.writerow([_csv_text(cell) for cell in row])


def _csv_text(value: object) -> object:
    value = _local(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else safe_cell(value)


def csv_response(rows: Iterable[Sequence[object]], *, filename: str) -> StreamingHttpResponse:
    """A CSV download of `rows` (the header first), written as the client reads it."""
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(
    rows: Iterable[Sequence[object]], *, filename: str, sheet_title: str
) -> FileResponse:
    """An XLSX download of `rows` (the header first); openpyxl's write-only mode keeps one row
    in memory at a time and writes the workbook to a temporary file, which is then streamed."""
    workbook = Workbook(write_only=True)
    # Excel refuses sheet titles over 31 characters or with []:*?/\ in them.
    title = "".join(c for c in UNWRITABLE.sub("", sheet_title) if c not in "[]:*?/\\")[:31]
    title = title or "Sheet"
    sheet = workbook.create_sheet(title=title)
    for row in rows:
        sheet.append([safe_cell(_local(cell)) for cell in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
