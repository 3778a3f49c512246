from __future__ import annotations

from celery import shared_task


@shared_task(name="targets.check_pipeline_targets", acks_late=True)
def check_pipeline_targets(owner_ids: list[int] | None = None) -> None:
    """Re-check the pipeline targets of these owners and their teams (all when None).

    The targets issue implements the check; the hook is called from prospect and outcome services.
    """
