from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from pipeline import services
from salescrm.lib.months import this_month


@shared_task(name="pipeline.horizon_upkeep", acks_late=True)
def horizon_upkeep() -> dict:
    """Daily: recount overdue/disagreeing horizons (see services.horizon_upkeep; moves nothing)."""
    run = services.horizon_upkeep(today=timezone.localdate())
    return {"month_passed": run.month_passed, "horizon_disagrees": run.horizon_disagrees}


@shared_task(name="pipeline.snapshot_month", acks_late=True)
def snapshot_month() -> int:
    """On the 1st: snapshot the "might buy this month" lists of every scope (idempotent)."""
    return services.snapshot_take_all(month=this_month(timezone.localdate()))
