from __future__ import annotations

from celery import shared_task


# A 100,000-row file takes about a minute; the limits leave room for a slow disk.
@shared_task(name="imports.run_import_job", acks_late=True, time_limit=1800, soft_time_limit=1700)
def run_import_job(job_id: int, phase: str) -> None:
    """Dry run or import of one claimed job; the service ignores a job that is not running `phase`."""
    from imports.services import import_job_execute

    import_job_execute(job_id=job_id, phase=phase)
