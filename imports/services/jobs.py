"""An import job's life: claimed once, run here or in a Celery task, its progress and heartbeat written
through a second connection, and marked failed when its worker is lost."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from imports.models import ImportJob, JobPhase, JobStatus
from imports.services import run
from imports.services.run import fail

logger = logging.getLogger("salescrm.imports")

# Written through a connection of their own (see progress_writer, import_job_heartbeat).
_JOBS = ImportJob._meta.db_table
_PROGRESS_SQL = f"UPDATE {_JOBS} SET processed_rows = LEAST(%(processed)s, total_rows) WHERE id = %(job)s"
_HEARTBEAT_SQL = f"UPDATE {_JOBS} SET heartbeat_at = now() WHERE id = %(job)s AND status = %(status)s AND attempt = %(attempt)s"


def import_job_claim(*, job: ImportJob, phase: str) -> bool:
    """Move the job to running for `phase`; False when it is not in a state to do so (a double click,
    a second worker). The conditional UPDATE is the guard."""
    allowed = [JobStatus.UPLOADED, JobStatus.PREVIEWED, JobStatus.FAILED]
    qs = ImportJob.objects.filter(pk=job.pk, status__in=allowed)
    if phase == JobPhase.IMPORT:
        # A checked file, or an import whose worker was lost (see ImportJob.can_import).
        qs = qs.filter(Q(status=JobStatus.PREVIEWED) | Q(status=JobStatus.FAILED, phase=JobPhase.IMPORT))
        qs = qs.filter(error_count=0, total_rows__gt=0)
    now = timezone.now()
    count = qs.update(
        status=JobStatus.RUNNING,
        phase=phase,
        processed_rows=0,
        started_at=now,
        heartbeat_at=now,
        attempt=F("attempt") + 1,
        message="",
    )
    job.refresh_from_db()
    return count == 1


def progress_writer(job_id: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    """Progress written through a second connection, so the page sees it while the import's own
    transaction is still open (and it never takes a lock the import holds)."""
    connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def write(processed: int) -> None:
        # Raw SQL: this connection is not one of Django's aliases, and the ORM runs only on those.
        with connection.cursor() as cursor:
            cursor.execute(_PROGRESS_SQL, {"processed": processed, "job": job_id})

    return write, connection.close


def _run_phase(job: ImportJob, phase: str, progress: Callable[[int], None] | None = None) -> ImportJob:
    """Run a claimed job; an unexpected error marks it failed (nothing was written: the import is one
    transaction) instead of leaving it running."""
    try:
        if phase == JobPhase.IMPORT:
            return run.import_job_run(job=job, progress=progress)
        return run.import_job_preview(job=job, progress=progress)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        with translation.override(job.options.get("language")):
            return fail(job, _("The import failed unexpectedly. Nothing was imported; run it again."))


def import_job_execute(*, job_id: int, phase: str, attempt: int | None = None) -> ImportJob | None:
    """Run a claimed job (from the Celery task): only a job that is running this phase, in the attempt
    the task was queued for, is touched, so a task delivered twice does nothing the second time. A
    redelivery after its worker died mid-way runs the same attempt again: the first run's transaction
    was rolled back with its connection."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.RUNNING or job.phase != phase:
        return None
    if attempt is not None and job.attempt != attempt:
        return None
    write, close = progress_writer(job.pk)
    try:
        return _run_phase(job, phase, write)
    finally:
        close()


def import_job_start(*, job: ImportJob, phase: str) -> bool:
    """Claim the job and run it: here for small files, in a Celery task above IMPORT_ASYNC_ROWS."""
    if not import_job_claim(job=job, phase=phase):
        return False
    if job.total_rows > settings.IMPORT_ASYNC_ROWS:
        from imports.tasks import run_import_job
        from salescrm.lib.jobs import enqueue_on_commit

        enqueue_on_commit(run_import_job, job_id=job.pk, phase=phase, attempt=job.attempt)
        return True
    _run_phase(job, phase)
    return True


WORKER_LOST = gettext_lazy(
    "The background worker running this job stopped (it gave no sign of life for %(seconds)s seconds). "
    "Nothing was imported; run it again."
)


def import_job_recover(*, job: ImportJob) -> bool:
    """A running job whose heartbeat (written by its task every IMPORT_HEARTBEAT_SECONDS) is older
    than IMPORT_STALE_SECONDS lost its worker: mark it failed so that it can be run again. The update
    is conditional on the stale heartbeat, so a job that just came back to life is left alone."""
    stale = settings.IMPORT_STALE_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=stale)
    if not job.is_running or (job.heartbeat_at or job.started_at or cutoff) > cutoff:
        return False
    with translation.override(job.options.get("language")):
        message = str(WORKER_LOST % {"seconds": stale})
    lost = ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempt=job.attempt).filter(
        Q(heartbeat_at__lte=cutoff) | Q(heartbeat_at__isnull=True, started_at__lte=cutoff)
    )
    if not lost.update(status=JobStatus.FAILED, message=message, finished_at=timezone.now()):
        return False
    job.refresh_from_db()
    return True


def import_job_heartbeat(*, job_id: int, attempt: int, connection: Any) -> bool:
    """Record a sign of life for a running attempt, through the task's own connection (the import's
    transaction is open on the main one); False once the job is no longer running this attempt."""
    # Raw SQL: the task's own connection is not one of Django's aliases, where the ORM runs.
    with connection.cursor() as cursor:
        cursor.execute(_HEARTBEAT_SQL, {"job": job_id, "status": JobStatus.RUNNING, "attempt": attempt})
        return cursor.rowcount == 1
