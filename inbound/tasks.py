"""Thin Celery tasks over inbound.services. Idempotent (acks_late: a task may run twice)."""

from __future__ import annotations

from celery import shared_task

from targets.tasks import TASK_OPTIONS


@shared_task(name="inbound.process_inquiry", **TASK_OPTIONS)
def process_inquiry(inquiry_id: int) -> int | None:
    """An inquiry whose processing failed in the request: try again (database or broker trouble
    retries with backoff)."""
    from inbound.services import inquiry_failed, inquiry_process

    try:
        prospect = inquiry_process(inquiry_id)
    except Exception as exc:
        inquiry_failed(inquiry_id, exc)
        raise
    return prospect.pk if prospect else None


@shared_task(name="inbound.sweep", **TASK_OPTIONS)
def sweep() -> dict:
    """Every minute: inquiries still unprocessed a while after they arrived (the request's attempt and
    its task both failed, or the broker lost the task) are processed now; ended rate-limit windows go."""
    from django.conf import settings

    from inbound.guard import counters_prune
    from inbound.services import inquiry_failed, inquiry_process, unprocessed_inquiry_ids

    done = failed = 0
    for pk in unprocessed_inquiry_ids(older_than_seconds=settings.INBOUND_SWEEP_AFTER_SECONDS):
        try:
            done += inquiry_process(pk) is not None
        except Exception as exc:  # one bad inquiry must not stop the others; it is logged on its row
            inquiry_failed(pk, exc)
            failed += 1
    return {"processed": done, "failed": failed, "pruned": counters_prune()}
