"""Upload and analysis: store the file, check its encoding and structure, count its rows and guess
the mapping of its columns."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation

from accounts.models import User
from imports import parsing, reader
from imports.models import DateOrder, ImportJob, ImportKind, ImportMapping
from imports.services.fields import BAD_FORMAT, MAX_DISTINCT_VALUES, TOO_LARGE, ImportRefused


def upload_dir() -> Path:
    return Path(settings.IMPORT_UPLOAD_DIR)


def job_file(job: ImportJob) -> Path:
    return upload_dir() / job.file_path


def _store_upload(upload: UploadedFile, suffix: str) -> str:
    today = timezone.localdate()
    relative = f"{today:%Y/%m}/{uuid.uuid4().hex}.{suffix}"
    target = upload_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return relative


def _analyse(path: Path, file_format: str, encoding: str) -> tuple[list[dict[str, Any]], int]:
    headers, rows = reader.read_rows(path, file_format, encoding)
    distinct: list[dict[str, None]] = [{} for _ in headers]
    total = 0
    for _number, cells in rows:
        total += 1
        for index, value in enumerate(cells[: len(headers)]):
            seen = distinct[index]
            if len(seen) < MAX_DISTINCT_VALUES and value not in (None, ""):
                seen.setdefault(str(value).strip()[:100], None)
    if total == 0:
        raise reader.FileError(reader.NO_DATA_ROWS)
    return [
        {"name": name, "values": list(values)} for name, values in zip(headers, distinct, strict=True)
    ], total


def import_job_create(
    *,
    by: User,
    upload: UploadedFile,
    encoding: str = "auto",
    update_duplicates: bool = False,
    create_owners: bool = False,
    saved_mapping: ImportMapping | None = None,
    date_order: str = "",
    kind: str = ImportKind.PROSPECTS,
) -> ImportJob:
    """Store the upload, check its encoding and structure, count rows and guess the mapping (of a
    file of prospects, or of people: imports/services/people.py). Raises ImportRefused with the
    reason; nothing is kept then."""
    if upload.size is not None and upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ImportRefused(TOO_LARGE % {"limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)})
    suffix = Path(upload.name or "").suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise ImportRefused(BAD_FORMAT)
    relative = _store_upload(upload, suffix)
    path = upload_dir() / relative
    try:
        if suffix == "csv":
            if encoding in reader.ENCODINGS:
                reader.check_encoding(path, encoding)
            else:
                encoding = reader.detect_encoding(path)
        else:
            encoding = ""
        headers, total = _analyse(path, suffix, encoding)
    except reader.FileError as exc:
        path.unlink(missing_ok=True)
        raise ImportRefused(exc.reason) from None
    names = [h["name"] for h in headers]
    if saved_mapping is not None:
        columns = {h: f for h, f in saved_mapping.json.get("columns", {}).items() if h in names}
        values = saved_mapping.json.get("values", {})
        defaults = saved_mapping.json.get("defaults", {})
        also = saved_mapping.json.get("also", {})  # absent from mappings saved before it existed
        date_order = date_order or saved_mapping.json.get("date_order", "")  # the upload form's choice wins
    elif kind == ImportKind.PEOPLE:
        columns, values, defaults, also = parsing.guess_people_columns(names), {}, {}, {}
    else:
        columns, values, defaults, also = parsing.guess_columns(names), {}, {}, {}
    return ImportJob.objects.create(
        created_by=by,
        kind=kind,
        file_path=relative,
        original_name=(upload.name or "upload")[:255],
        file_format=suffix,
        encoding=encoding,
        headers=headers,
        total_rows=total,
        mapping={
            "columns": columns,
            "values": values,
            "also": also,
            **({"defaults": defaults} if defaults else {}),
        },
        options={
            "update_duplicates": bool(update_duplicates),
            "create_owners": bool(create_owners and by.is_admin_role),
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "date_order": date_order if date_order in DateOrder.values else "",
        },
    )
