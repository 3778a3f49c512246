from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

from celery import shared_task
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def heartbeat(job_id: int, attempt: int) -> Iterator[None]:
    """Write the job's heartbeat every IMPORT_HEARTBEAT_SECONDS from a thread with its own connection
    while the job runs. When the worker dies the heartbeat stops, and the job page marks the job
    failed (services.import_job_recover) instead of showing it running for an hour."""
    from imports.services import import_job_heartbeat

    stop = threading.Event()

    def beat() -> None:
        connection = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            while not stop.wait(settings.IMPORT_HEARTBEAT_SECONDS):
                try:
                    if not import_job_heartbeat(job_id=job_id, attempt=attempt, connection=connection):
                        return
                except Exception:  # a database hiccup: the next beat tries again
                    logger.warning("import job %s: heartbeat not written", job_id, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# A 100,000-row file takes about a minute; the limits leave room for a slow disk. acks_late and
# reject_on_worker_lost (settings): a killed worker child hands the message back and the same attempt
# runs again from the start (the import is one transaction, rolled back with the dead connection).
@shared_task(
    name="imports.run_import_job",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=1800,
    soft_time_limit=1700,
)
def run_import_job(job_id: int, phase: str, attempt: int | None = None) -> None:
    """Dry run or import of one claimed job; the service ignores a job that is not running `phase` in
    `attempt` (a duplicate delivery, or an old one after the job was run again)."""
    from imports.models import ImportJob
    from imports.services import import_job_execute

    if attempt is None:  # a message queued before attempts existed
        attempt = ImportJob.objects.filter(pk=job_id).values_list("attempt", flat=True).first() or 0
    with heartbeat(job_id, attempt):
        import_job_execute(job_id=job_id, phase=phase, attempt=attempt)
