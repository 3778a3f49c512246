"""Large files go through a real Celery worker (Redis broker): dry run, then import, with progress."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from imports.models import ImportJob, JobStatus
from prospects.models import Prospect
from salescrm.celery import app
from tests.imports.conftest import HEADER, csv_bytes, upload, wait_for_job


@pytest.fixture
def worker(settings):
    settings.IMPORT_ASYNC_ROWS = 50
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        yield


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_imported_by_the_worker(personas, login, worker):
    rows = [HEADER] + [[f"会社{i}", "owner", "50", "100万", "2026/11", "商談中", "紹介"] for i in range(120)]
    client = login(personas.manager)
    client.post(reverse("imports:upload"), {"file": upload(csv_bytes(rows)), "encoding": "auto"})
    job = ImportJob.objects.get()
    client.post(
        reverse("imports:mapping", args=[job.pk]),
        {f"col-{i}": "" for i in range(7)} | {"col-0": "name", "col-1": "owner"},
    )

    job = wait_for_job(job, JobStatus.PREVIEWED)
    assert (job.error_count, job.created_count, job.processed_rows) == (0, 120, 120)
    assert not Prospect.objects.filter(name__startswith="会社").exists()

    client.post(reverse("imports:run", args=[job.pk]))
    job = wait_for_job(job, JobStatus.DONE)
    assert job.processed_rows == job.total_rows == 120
    assert Prospect.objects.filter(name__startswith="会社", owner=personas.owner).count() == 120
    # The polling fragment now stops (htmx 286).
    response = client.get(reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 286


@pytest.mark.django_db(transaction=True)
def test_a_failing_large_import_writes_nothing_through_the_worker(personas, login, worker):
    from imports.services import job_file

    rows = [HEADER] + [[f"会社{i}", "owner", "50", "100万", "2026/11", "商談中", "紹介"] for i in range(80)]
    client = login(personas.owner)
    client.post(reverse("imports:upload"), {"file": upload(csv_bytes(rows)), "encoding": "auto"})
    job = ImportJob.objects.get()
    client.post(reverse("imports:mapping", args=[job.pk]), {"col-0": "name", "col-2": "probability"})
    job = wait_for_job(job, JobStatus.PREVIEWED)
    job_file(job).write_bytes(
        csv_bytes([*rows[:-1], ["会社79", "owner", "120", "1", "2026/11", "商談中", "紹介"]])
    )
    client.post(reverse("imports:run", args=[job.pk]))
    job = wait_for_job(job, JobStatus.FAILED)
    assert [e["row"] for e in job.errors] == [81]
    assert not Prospect.objects.filter(name__startswith="会社").exists()
