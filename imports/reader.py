"""Streaming reads of an uploaded CSV or .xlsx file: encoding detection, header checks, rows.

Memory stays flat: CSV is decoded incrementally and xlsx is opened read-only.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

ENCODINGS = {"utf-8-sig": "UTF-8", "cp932": "Shift_JIS (CP932)"}
CHUNK = 1024 * 1024

EMPTY_FILE = _("The file is empty.")
NO_HEADER = _("The file has no header row.")
NO_DATA_ROWS = _("The file has a header row but no data rows.")
BAD_ENCODING = _(
    "The file is neither UTF-8 nor Shift_JIS (CP932) text%(guess)s. Save it from Excel as “CSV UTF-8” and upload it again."
)
WRONG_ENCODING = _("The file cannot be read as %(encoding)s (first bad byte at position %(position)s).")
BAD_XLSX = _("The file is not a readable Excel (.xlsx) workbook: it may be damaged or in another format.")
DUPLICATE_HEADERS = _("Column names must be unique; these appear more than once: %(names)s.")
NUL_BYTES = _("The file contains binary data (NUL bytes), not CSV text. Save it from Excel as “CSV UTF-8”.")
BAD_CSV = _("The CSV file is malformed: %(error)s")
TOO_MANY_COLUMNS = _(
    "The file has %(columns)s columns; at most %(limit)s can be imported. Remove the columns you do not "
    "need and upload it again."
)


class FileError(ValueError):
    """The file as a whole cannot be imported; `reason` is a message for the user."""

    def __init__(self, reason: Any) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _decodes(path: Path, encoding: str) -> UnicodeDecodeError | None:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                if b"\x00" in chunk:
                    # Text never holds NUL (PostgreSQL refuses it); it is binary data or UTF-16.
                    raise FileError(NUL_BYTES)
                decoder.decode(chunk)
                offset += len(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        exc.start += offset
        return exc
    return None


def detect_encoding(path: Path) -> str:
    """'utf-8-sig' (with or without a BOM) or 'cp932'; strict UTF-8 first, then CP932."""
    for encoding in ENCODINGS:
        if _decodes(path, encoding) is None:
            return encoding
    guess = ""
    try:
        from charset_normalizer import from_path

        best = from_path(path, steps=5, chunk_size=4096).best()
        if best is not None and best.encoding:
            guess = f" ({best.encoding})"
    except Exception:  # the hint is optional
        pass
    raise FileError(BAD_ENCODING % {"guess": guess})


def check_encoding(path: Path, encoding: str) -> None:
    error = _decodes(path, encoding)
    if error is not None:
        raise FileError(
            WRONG_ENCODING % {"encoding": ENCODINGS.get(encoding, encoding), "position": error.start}
        )


def _csv_rows(path: Path, encoding: str) -> Iterator[list[Any]]:
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        try:
            yield from csv.reader(text)
        except csv.Error as exc:
            raise FileError(BAD_CSV % {"error": exc}) from None
        except UnicodeDecodeError as exc:
            raise FileError(
                WRONG_ENCODING % {"encoding": ENCODINGS.get(encoding, encoding), "position": exc.start}
            ) from None


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.time):
        return ""
    return value


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileError(BAD_XLSX) from exc
    except Exception as exc:  # openpyxl raises assorted errors on damaged archives
        raise FileError(BAD_XLSX) from exc
    try:
        sheet = workbook.active
        if sheet is None:
            raise FileError(BAD_XLSX)
        try:
            for row in sheet.iter_rows(values_only=True):
                yield [_xlsx_value(v) for v in row]
        except FileError:
            raise
        except Exception as exc:
            raise FileError(BAD_XLSX) from exc
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_rows(
    path: Path, file_format: str, encoding: str
) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """(headers, rows): headers are the first non-empty row, trimmed; rows are (row number as the
    spreadsheet shows it, cells) for every non-empty row after it. Raises FileError on a bad file."""
    rows = _xlsx_rows(path) if file_format == "xlsx" else _csv_rows(path, encoding)
    number = 0
    header: list[Any] | None = None
    for raw in rows:
        number += 1
        if all(_blank(v) for v in raw):
            continue
        header = raw
        break
    if header is None:
        raise FileError(EMPTY_FILE if number == 0 else NO_HEADER)
    names = [str(v).strip() if v is not None else "" for v in header]
    while names and not names[-1]:
        names.pop()
    if len(names) > settings.IMPORT_MAX_COLUMNS:
        # Thousands of columns made a mapping page of megabytes that could never be submitted.
        raise FileError(TOO_MANY_COLUMNS % {"columns": len(names), "limit": settings.IMPORT_MAX_COLUMNS})
    seen: set[str] = set()
    duplicates = sorted({n for n in names if n and (n in seen or seen.add(n))})
    if duplicates:
        raise FileError(DUPLICATE_HEADERS % {"names": "、".join(duplicates)})
    start = number

    def data() -> Iterator[tuple[int, list[Any]]]:
        n = start
        for raw in rows:
            n += 1
            if all(_blank(v) for v in raw):
                continue
            yield n, raw

    return names, data()
