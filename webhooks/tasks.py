"""Thin Celery tasks over webhooks.services. Idempotent: a duplicated or retried task finds its
delivery claimed or done (services._claim) and does nothing."""

from __future__ import annotations

from celery import shared_task

from targets.tasks import RETRY_ON

# Database or broker trouble: Celery retries the task itself (backoff, jitter). A receiver's failure is
# not an exception here: the service logs it and schedules the delivery's next attempt.
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


@shared_task(name="webhooks.deliver", **TASK_OPTIONS)
def deliver(delivery_id: int) -> str:
    from webhooks.services import delivery_attempt

    return delivery_attempt(delivery_id)


@shared_task(name="webhooks.sweep_due", **TASK_OPTIONS)
def sweep_due() -> int:
    """Every minute: the deliveries whose publish was lost go now."""
    from webhooks.services import sweep_due as sweep

    return sweep()
