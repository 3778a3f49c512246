"""Enqueue Celery tasks after a commit without ever putting Redis on the request path.

Celery's delay() against a hung Redis can block for a minute (celery#4296) and delay_on_commit() turns a
broker error into a 500 after the data was saved (celery#6911). Here the publish runs after the commit,
with the short socket timeouts of CELERY_BROKER_TRANSPORT_OPTIONS and no retries; a failure is logged
and left to the next scheduled run, which recomputes everything.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger("salescrm.jobs")


def enqueue(task: Any, /, **kwargs: Any) -> bool:
    """Publish now; True when the broker took it. Never raises."""
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception:
        logger.warning("enqueue of %s failed; the next scheduled run will catch up", task.name, exc_info=True)
        return False
    return True


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    transaction.on_commit(lambda: enqueue(task, **kwargs), robust=True)
