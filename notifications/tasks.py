"""Thin Celery tasks over notifications.services. Idempotent (acks_late: a task may run twice)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from targets.tasks import RETRY_ON

# Besides database and broker trouble, a mail server that refuses or is unreachable is worth a retry.
TASK_OPTIONS = dict(
    acks_late=True,
    autoretry_for=(*RETRY_ON, smtplib.SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
)


@shared_task(name="notifications.send_email", **TASK_OPTIONS)
def send_notification_email(notification_id: int) -> bool:
    from notifications.services import notification_email_send

    return notification_email_send(notification_id)


@shared_task(name="notifications.sweep_unsent", **TASK_OPTIONS)
def sweep_unsent() -> int:
    """Every few minutes: send the e-mails a broker outage never queued (or whose retries ran out)."""
    from django.conf import settings

    from notifications.services import notification_email_send, unsent_notification_ids

    sent = 0
    for pk in unsent_notification_ids(older_than_seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS):
        sent += notification_email_send(pk)
    return sent
