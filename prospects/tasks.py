from __future__ import annotations

from celery import shared_task

from prospects import counts


@shared_task(name="prospects.open_count_upkeep", acks_late=True, soft_time_limit=120, time_limit=180)
def open_count_upkeep() -> dict:
    """Nightly: check the trigger-kept open counts and lead counts against a real count (mending any
    drift), then fold the day's open-count rows into one per owner and horizon. Idempotent: a second
    run finds nothing to do."""
    drifted = counts.reconcile()
    rows = counts.compact()
    return {"drifted": drifted, "rows": rows, "lead_counts_drifted": counts.reconcile_lead_counts()}
