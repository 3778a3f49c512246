import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker

from pipeline.models import UpkeepRun
from pipeline.services import horizon_upkeep
from prospects.models import Horizon, Prospect
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def mixed(personas):
    personas.owner.prospects.all().delete()
    make_prospect(personas.owner, expected_month=dt.date(2026, 9, 1), horizon=Horizon.SHORT)  # passed
    make_prospect(personas.owner, expected_month=dt.date(2026, 10, 1), horizon=Horizon.MID)  # passed+differs
    make_prospect(personas.owner, expected_month=dt.date(2026, 11, 1), horizon=Horizon.SHORT)
    make_prospect(personas.owner, expected_month=dt.date(2027, 12, 1), horizon=Horizon.SHORT)  # differs
    make_prospect(
        personas.owner,
        expected_month=dt.date(2026, 9, 1),
        status="lost",
        closed_on=dt.date(2026, 9, 5),
        lost_reason="price",
    )  # closed: ignored


def test_upkeep_counts_and_moves_nothing_and_is_idempotent(mixed):
    before = list(Prospect.objects.order_by("pk").values_list("pk", "horizon", "version"))
    run = horizon_upkeep(today=TODAY)
    assert (run.month_passed, run.horizon_disagrees) == (2, 2)
    again = horizon_upkeep(today=TODAY)
    assert again.pk == run.pk and UpkeepRun.objects.count() == 1
    assert (again.month_passed, again.horizon_disagrees) == (2, 2)
    assert list(Prospect.objects.order_by("pk").values_list("pk", "horizon", "version")) == before


@pytest.mark.django_db(transaction=True)
def test_upkeep_task_runs_in_a_real_celery_worker(personas):
    from pipeline.tasks import horizon_upkeep as task
    from salescrm.celery import app

    make_prospect(personas.owner, expected_month=dt.date(2020, 1, 1), horizon=Horizon.SHORT)
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        result = task.apply_async()
        # No result backend: wait for the row the task writes.
        import time

        deadline = time.monotonic() + 20
        while not UpkeepRun.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    assert result.id
    assert UpkeepRun.objects.get().month_passed >= 1
