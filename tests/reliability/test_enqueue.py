"""salescrm.lib.jobs.enqueue bounds the time a request waits for the broker (bin/faults measured 4-6 s
per publish against a frozen or stopped Redis before the bound), and never drops a slow publish."""

from __future__ import annotations

import threading
import time

import pytest

from salescrm.lib import jobs


class SlowTask:
    name = "tests.slow"

    def __init__(self, delay: float, fail: bool = False) -> None:
        self.delay = delay
        self.fail = fail
        self.published = threading.Event()

    def apply_async(self, kwargs=None, retry=True):
        time.sleep(self.delay)
        if self.fail:
            raise ConnectionError("broker down")
        self.published.set()


@pytest.fixture(autouse=True)
def fresh_publisher(settings, monkeypatch):
    settings.JOBS_ENQUEUE_WAIT = 0.3
    settings.JOBS_BROKER_BACKOFF = 5
    monkeypatch.setattr(jobs, "_publisher", jobs._Publisher())


def test_a_quick_publish_is_confirmed():
    task = SlowTask(0)
    assert jobs.enqueue(task, x=1) is True
    assert task.published.is_set()


def test_a_slow_broker_holds_the_caller_only_for_the_wait_and_the_publish_still_happens():
    task = SlowTask(1.0)
    started = time.monotonic()
    assert jobs.enqueue(task) is False
    assert time.monotonic() - started < 0.6
    # During the backoff the next caller does not wait at all.
    started = time.monotonic()
    assert jobs.enqueue(SlowTask(0)) is False
    assert time.monotonic() - started < 0.1
    assert task.published.wait(3), "the slow publish was dropped"


def test_a_failing_broker_returns_false_and_never_raises():
    assert jobs.enqueue(SlowTask(0, fail=True)) is False
    started = time.monotonic()
    assert jobs.enqueue(SlowTask(0, fail=True)) is False
    assert time.monotonic() - started < 0.1  # backing off
