"""The error report of a run: every error written, as it is found, to a CSV file beside the upload
(settings.IMPORT_UPLOAD_DIR); the job keeps only the first MAX_STORED_ERRORS for its page, the download
serves the file, so it is complete however many errors a file has."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from imports.models import ImportJob
from imports.services.upload import job_file

COLUMNS = ("row", "column", "value", "reason")


def job_error_file(job: ImportJob) -> Path:
    """The complete error report of the job's last run (absent when it had none)."""
    path = job_file(job)
    return path.with_name(f"{path.stem}.errors.csv")


class ErrorFile:
    """Written while a run goes and put in place of the previous run's report when the run ends
    (`keep`), so a download meanwhile reads a whole file. A run that ends otherwise (the file became
    unreadable, an unexpected error) leaves the previous report as it was."""

    def __init__(self, job: ImportJob) -> None:
        self.path = job_error_file(job)
        self._partial = self.path.with_name(f"{self.path.name}.part")
        self._partial.parent.mkdir(parents=True, exist_ok=True)
        self._file: TextIO = self._partial.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file)
        self.count = 0

    def write(self, error: dict[str, Any]) -> None:
        self._writer.writerow([error[c] for c in COLUMNS])
        self.count += 1

    def keep(self) -> None:
        self._file.close()
        if self.count:
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> ErrorFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self._file.closed:  # not kept
            self._file.close()
            self._partial.unlink(missing_ok=True)


def error_file_rows(job: ImportJob) -> Iterator[list[str]] | None:
    """The rows of the job's complete error report; None when there is no file (a job from before
    the file was kept, or one whose file is gone)."""
    path = job_error_file(job)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except FileNotFoundError:
        return None

    def rows() -> Iterator[list[str]]:
        with handle:
            yield from csv.reader(handle)

    return rows()
