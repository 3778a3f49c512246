from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from imports.models import ImportJob
from imports.services import import_job_create, import_job_preview, import_job_run


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR


def csv_bytes(rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "prospects.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def create_job(by: User, content: bytes, name: str = "prospects.csv", **options) -> ImportJob:
    return import_job_create(by=by, upload=upload(content, name), **options)


def run_import(
    by: User, rows: Sequence[Sequence[Any]], *, name: str = "prospects.csv", **options
) -> ImportJob:
    """Upload, dry run, import: the whole flow through the services."""
    content = (
        xlsx_bytes(rows)
        if name.endswith(".xlsx")
        else csv_bytes(rows, options.pop("encoding_bytes", "utf-8"))
    )
    job = create_job(by, content, name, **options)
    job = import_job_preview(job=job)
    if job.error_count:
        return job
    return import_job_run(job=job)


HEADER = ["会社名", "担当者", "確度", "見込金額", "受注予定月", "ステータス", "流入経路"]


def wait_for_job(job: ImportJob, status: str, timeout: float = 60) -> ImportJob:
    """The job once a Celery worker has brought it to `status` (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == status:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job stayed {job.status} ({job.message})")
