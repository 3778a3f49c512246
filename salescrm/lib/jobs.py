"""Enqueue Celery tasks after a commit without ever putting Redis on the request path.

Celery's delay() against a hung Redis can block for a minute (celery#4296) and delay_on_commit() turns a
broker error into a 500 after the data was saved (celery#6911). Here the publish runs after the commit,
with no Celery retries, in a background thread of the process: the caller waits at most
JOBS_ENQUEUE_WAIT seconds for it. Even with retry=False a publish to a stopped Redis takes about 6 s
(redis-py retries the connection three times with backoff) and to a frozen one about 4 s (kombu's
connect timeout) — measured by bin/faults, see docs/reliability.md. When the wait runs out the publish
goes on in the background (it is not dropped), and for JOBS_BROKER_BACKOFF seconds after a failure
or a slow publish the callers do not wait at all. A publish that fails is logged and left to the next
scheduled run, which recomputes everything.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger("salescrm.jobs")

MAX_PENDING = 1000  # publishes waiting for the broker in one process; beyond that they are dropped


class _Publisher:
    """One daemon thread per process that publishes in order."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue(maxsize=MAX_PENDING)
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.backoff_until = 0.0

    def _run(self) -> None:
        while True:
            task, kwargs, future = self.queue.get()
            try:
                task.apply_async(kwargs=kwargs, retry=False)
            except Exception as exc:
                self.backoff_until = time.monotonic() + settings.JOBS_BROKER_BACKOFF
                logger.warning(
                    "enqueue of %s failed; the next scheduled run will catch up", task.name, exc_info=True
                )
                future.set_exception(exc)
            else:
                future.set_result(True)

    def submit(self, task: Any, kwargs: dict) -> Future:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="salescrm-enqueue", daemon=True)
                self.thread.start()
        future: Future = Future()
        self.queue.put_nowait((task, kwargs, future))
        return future


_publisher = _Publisher()


def _after_fork() -> None:  # a forked child (gunicorn, Celery prefork) starts its own thread
    global _publisher
    _publisher = _Publisher()


os.register_at_fork(after_in_child=_after_fork)


def enqueue(task: Any, /, **kwargs: Any) -> bool:
    """Publish; True when the broker took it within the wait. Never raises, never blocks longer than
    JOBS_ENQUEUE_WAIT seconds. False means "not confirmed": the publish may still complete later."""
    publisher = _publisher
    try:
        future = publisher.submit(task, kwargs)
    except queue.Full:
        logger.warning("enqueue of %s dropped: %d publishes pending", task.name, MAX_PENDING)
        return False
    if time.monotonic() < publisher.backoff_until:
        logger.warning("broker unavailable recently; %s is published in the background", task.name)
        return False
    try:
        return future.result(timeout=settings.JOBS_ENQUEUE_WAIT)
    except FutureTimeout:
        publisher.backoff_until = time.monotonic() + settings.JOBS_BROKER_BACKOFF
        logger.warning("broker slow: %s goes on publishing in the background", task.name)
        return False
    except Exception:
        return False  # logged by the publisher


def enqueue_on_commit(task: Any, /, **kwargs: Any) -> None:
    transaction.on_commit(lambda: enqueue(task, **kwargs), robust=True)
