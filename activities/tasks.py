"""Thin Celery tasks over activities.services (acks_late: a task may run twice; the services guard)."""

from __future__ import annotations

from celery import shared_task

from targets.tasks import TASK_OPTIONS


@shared_task(name="activities.send_morning_emails", **TASK_OPTIONS)
def send_morning_emails() -> int:
    """The day's agenda and overdue items to every user who asked for it, once per user and day."""
    from activities.services import morning_emails_send

    return morning_emails_send()
