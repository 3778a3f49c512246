"""An import whose worker died: its heartbeat stops, the job page shows it failed within
IMPORT_STALE_SECONDS and offers to run it again; an old or duplicate delivery of its task does nothing."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportJob, JobPhase, JobStatus
from imports.services import import_job_claim, import_job_preview
from imports.tasks import heartbeat, run_import_job
from prospects.models import Prospect
from tests.imports.conftest import HEADER, create_job, csv_bytes

GOOD = [HEADER, ["鈴木建設", "owner", "80%", "120万", "2026年11月", "商談中", "展示会"]]


def checked_job(by) -> ImportJob:
    job = create_job(by, csv_bytes(GOOD))
    job.mapping = {"columns": {"会社名": "name"}, "values": {}}
    job.save()
    return import_job_preview(job=job)


def lose_worker(job: ImportJob, seconds_ago: int) -> None:
    """The state a killed worker leaves: running, with a heartbeat that stopped `seconds_ago`."""
    assert import_job_claim(job=job, phase=JobPhase.IMPORT)
    then = timezone.now() - dt.timedelta(seconds=seconds_ago)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=then, started_at=then, processed_rows=1)
    job.refresh_from_db()


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_shown_failed_and_runs_again(personas, login, settings):
    settings.IMPORT_STALE_SECONDS = 120
    job = checked_job(personas.owner)
    lose_worker(job, seconds_ago=121)
    client = login(personas.owner)

    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "120" in job.message and job.message in page
    assert "every 1s" not in page  # no "processing continues" progress bar
    assert reverse("imports:run", args=[job.pk]) in page  # run again is offered

    client.post(reverse("imports:run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempt == 2
    assert Prospect.objects.filter(name="鈴木建設").count() == 1


@pytest.mark.django_db
def test_a_job_with_a_recent_heartbeat_stays_running(personas, login, settings):
    settings.IMPORT_STALE_SECONDS = 120
    job = checked_job(personas.owner)
    lose_worker(job, seconds_ago=60)
    login(personas.owner).get(reverse("imports:list"))
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_a_delivery_for_an_old_attempt_or_a_second_delivery_does_nothing(personas, settings):
    job = checked_job(personas.owner)
    lose_worker(job, seconds_ago=500)
    from imports.services import import_job_recover

    assert import_job_recover(job=job)
    assert import_job_claim(job=job, phase=JobPhase.IMPORT) and job.attempt == 2
    run_import_job(job.pk, JobPhase.IMPORT, attempt=1)  # redelivered after the visibility timeout
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and not Prospect.objects.filter(name="鈴木建設").exists()

    run_import_job(job.pk, JobPhase.IMPORT, attempt=2)
    run_import_job(job.pk, JobPhase.IMPORT, attempt=2)  # the same message delivered twice
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert Prospect.objects.filter(name="鈴木建設").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_task_writes_a_heartbeat_while_it_runs(personas, settings):
    settings.IMPORT_HEARTBEAT_SECONDS = 0.05
    job = checked_job(personas.owner)
    lose_worker(job, seconds_ago=500)
    old = job.heartbeat_at
    with heartbeat(job.pk, job.attempt):
        time.sleep(0.5)
    job.refresh_from_db()
    assert job.heartbeat_at > old + dt.timedelta(seconds=400)
