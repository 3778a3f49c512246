from __future__ import annotations

from celery import shared_task

from closing import services


@shared_task(
    name="closing.create_recontact_followups",
    acks_late=True,
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def create_recontact_followups() -> list[int]:
    """Daily (07:00 Tokyo): follow-up prospects for lost prospects whose re-contact date has come.
    Safe to run twice: the service claims each (prospect, date) once."""
    return [p.pk for p in services.recontact_create_followups()]
