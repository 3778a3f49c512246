"""Streaming exports of any list: CSV (UTF-8 with BOM by default, CP932 on request) and .xlsx.

Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with an apostrophe,
against CSV injection (OWASP). Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header


@dataclass(frozen=True)
class Column:
    """One column of a list: its header on screen and in the export, and the value it exports. The
    table headers, the cells' labels and the export all read the same tuple of columns."""

    key: str
    label: Any  # a lazy translation: rendered in the reader's language
    value: Callable[[Any], Any]
    on_screen: bool = True  # False: a column of the export only
    numeric: bool = False  # right-aligned on screen


def export_header(columns: Sequence[Column]) -> list[str]:
    return [str(column.label) for column in columns]


def export_rows(columns: Sequence[Column], objects: Iterable[Any]) -> Iterator[list[Any]]:
    for obj in objects:
        yield [column.value(obj) for column in columns]


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODINGS = {"utf-8-sig": "utf-8-sig", "utf8": "utf-8-sig", "cp932": "cp932", "sjis": "cp932"}


def safe_cell(value: Any) -> Any:
    """A value ready for a spreadsheet: formulas neutralised, dates and Decimals kept as such."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, int | float | Decimal | dt.date):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def unescape_cell(text: str) -> str:
    """A cell as it was before safe_cell: the apostrophe an export put before a formula sign taken off,
    so an export of ours is imported back as it was written (imports.services.validation)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    codec = CSV_ENCODINGS.get(encoding, "utf-8-sig")
    # The BOM goes once, at the start; later chunks are plain UTF-8.
    first = writer.writerow([safe_cell(h) for h in header])
    yield first.encode(codec, errors="replace")
    body_codec = "utf-8" if codec == "utf-8-sig" else codec
    for row in rows:
        yield writer.writerow([_csv_value(safe_cell(v)) for v in row]).encode(body_codec, errors="replace")


def _csv_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8-sig"
) -> StreamingHttpResponse:
    codec = CSV_ENCODINGS.get(encoding, "utf-8-sig")
    charset = "Shift_JIS" if codec == "cp932" else "utf-8"
    response = StreamingHttpResponse(
        _csv_lines(header, rows, codec), content_type=f"text/csv; charset={charset}"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """openpyxl's write-only mode keeps memory flat; the file is spooled to disk past 10 MB."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(
    fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8-sig"
) -> HttpResponse | StreamingHttpResponse:
    """fmt is 'csv' or 'xlsx' (anything else falls back to CSV)."""
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows)
    return csv_response(filename, header, rows, encoding)


__all__ = [
    "Column",
    "csv_response",
    "export_header",
    "export_response",
    "export_rows",
    "safe_cell",
    "xlsx_response",
]
