"""Import a CSV/xlsx of prospects from the command line, and measure it (rows/s, peak memory)."""

from __future__ import annotations

import resource
import time
from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from imports.models import ImportMapping, JobStatus
from imports.services import ImportRefused, import_job_create, import_job_preview, import_job_run
from imports.services.report import job_error_file


class Command(BaseCommand):
    help = "Import prospects from FILE as USERNAME (all rows or none); --dry-run only checks."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True)
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--encoding", default="auto", choices=["auto", "utf-8-sig", "cp932"])
        parser.add_argument(
            "--update", action="store_true", help="update existing prospects (same name and owner or ID)"
        )
        parser.add_argument(
            "--create-owners", action="store_true", help="admins: create missing owners, inactive"
        )
        parser.add_argument(
            "--mapping", default="", help="the name of a saved mapping of USERNAME (else the guessed one)"
        )

    def handle(
        self,
        *args,
        file: str,
        user: str,
        dry_run: bool,
        encoding: str,
        update: bool,
        create_owners: bool,
        mapping: str = "",
        **options,
    ):
        try:
            by = User.objects.get(username=user)
        except User.DoesNotExist:
            raise CommandError(f"no user {user!r}") from None
        saved = None
        if mapping:
            saved = ImportMapping.objects.filter(created_by=by, name=mapping).first()
            if saved is None:
                raise CommandError(f"no saved mapping {mapping!r} of {user}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no file {file}")
        started = time.perf_counter()
        with path.open("rb") as handle:
            upload = File(handle, name=path.name)
            upload.size = path.stat().st_size
            try:
                job = import_job_create(
                    by=by,
                    upload=upload,
                    encoding=encoding,
                    update_duplicates=update,
                    create_owners=create_owners,
                    saved_mapping=saved,
                )
            except ImportRefused as exc:
                raise CommandError(str(exc.reason)) from None
        analysed = time.perf_counter()
        job = import_job_preview(job=job) if dry_run else import_job_run(job=job)
        finished = time.perf_counter()
        rate = job.total_rows / (finished - analysed) if finished > analysed else 0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for error in job.errors[:20]:
            self.stderr.write(f"row {error['row']} {error['column']} {error['value']!r}: {error['reason']}")
        self.stdout.write(
            f"{job.get_status_display()}: {job.total_rows} rows, {job.created_count} created, "
            f"{job.updated_count} updated, {job.unchanged_count} unchanged, {job.error_rows} rows with errors, {job.error_count} errors. {job.message}"
        )
        if job.error_count > 20 and job_error_file(job).exists():
            self.stderr.write(f"every error: {job_error_file(job)}")
        self.stdout.write(
            f"analyse {analysed - started:.1f}s, {'check' if dry_run else 'import'} {finished - analysed:.1f}s "
            f"= {rate:,.0f} rows/s; peak memory {peak_mb:,.0f} MB"
        )
        if job.status == JobStatus.FAILED:
            raise CommandError("nothing was imported")
