"""Thin Celery tasks over targets.services. All idempotent (acks_late: a task may run twice)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Database or broker trouble is worth a retry (with exponential backoff and jitter); a bug is not.
RETRY_ON = (OperationalError, InterfaceError, BrokerOperationalError, RedisConnectionError, RedisTimeoutError)

# Well below the broker's visibility timeout (3600 s), so that acks_late never hands a running task
# to a second worker.
TASK_OPTIONS = dict(
    acks_late=True,
    autoretry_for=RETRY_ON,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=120,
    time_limit=180,
)


@shared_task(name="targets.check_pipeline_targets", **TASK_OPTIONS)
def check_pipeline_targets(owner_ids: list[int] | None = None) -> dict:
    """Re-check the pipeline targets (every scope: it is a constant number of queries), then email
    the alerts that just opened."""
    from targets.services import alert_emails_send, pipeline_check_run

    result = pipeline_check_run(owner_ids=owner_ids)
    emailed = alert_emails_send()
    return {"opened": result.opened, "resolved": result.resolved, "emailed": emailed}


@shared_task(name="targets.send_alert_digest", **TASK_OPTIONS)
def send_alert_digest() -> int:
    """The morning digest of open alerts, once per person per day."""
    from targets.services import alert_digest_send

    return alert_digest_send()


@shared_task(name="targets.refresh_flow_rollup", **TASK_OPTIONS)
def refresh_flow_rollup() -> dict:
    """Shortly after midnight: compute the day's history and flow rollup that every check of the day
    reads. Idempotent: a retried, duplicated or concurrent run finds the day's rows and does nothing."""
    from targets.services import flow_rollup_refresh

    rollup = flow_rollup_refresh()
    return {"day": rollup.day.isoformat(), "computed": rollup.computed}
