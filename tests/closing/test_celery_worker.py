"""The re-contact task through a real Celery worker on Redis, run twice: one follow-up."""

import datetime as dt
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.utils import timezone

from closing.tasks import create_recontact_followups
from prospects.models import Prospect, Status
from salescrm.celery import app
from tests.conftest import make_prospect

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]


def test_the_task_run_twice_by_a_worker_creates_one_follow_up(personas):
    today = timezone.localdate()
    lost = make_prospect(
        personas.owner,
        status=Status.LOST,
        closed_on=today - dt.timedelta(days=30),
        lost_reason="no_response",
        recontact_on=today,
    )
    results: list = []
    done = threading.Semaphore(0)

    def record(sender=None, retval=None, **kwargs):
        if sender is not None and sender.name == create_recontact_followups.name:
            results.append(retval)
            done.release()

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(
            app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING", shutdown_timeout=10
        ):
            create_recontact_followups.apply_async()
            assert done.acquire(timeout=30)
            create_recontact_followups.apply_async()
            assert done.acquire(timeout=30)
    finally:
        task_postrun.disconnect(record)
    assert len(results[0]) == 1 and results[1] == []
    assert Prospect.objects.filter(origin=lost).count() == 1
