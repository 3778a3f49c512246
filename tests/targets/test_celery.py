"""Integration: a real Celery worker (in-process thread, solo pool) on the real Redis broker
(REDIS_URL, this worktree's Redis DB) against the real PostgreSQL test database."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, Team
from prospects.models import Prospect, Status
from prospects.services import prospect_create
from prospects.signals import pipeline_changed_send
from salescrm.celery import app
from targets.models import PipelineAlert, Rule
from tests.conftest import make_prospect, make_user
from tests.targets.conftest import set_target

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.fixture
def worker():
    app.control.purge()  # this worktree's queue only: leftovers of earlier tests
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=20) as w:
        yield w


@pytest.fixture
def rep_with_manager():
    rep = make_user("celery-rep", email="rep@example.com")
    boss = make_user("celery-boss", Role.MANAGER, email="boss@example.com")
    team = Team.objects.create(name="Celery team")
    team.members.add(rep)
    team.managers.add(boss)
    return rep, boss


def win(prospect: Prospect) -> None:
    """The outcome as the closing app records it: a conditional update, and the check after commit."""
    with transaction.atomic():
        updated = Prospect.objects.filter(pk=prospect.pk, version=prospect.version).update(
            status=Status.WON,
            closed_on=timezone.localdate(),
            won_amount=Decimal(500000),
            version=F("version") + 1,
        )
        assert updated == 1
        pipeline_changed_send(owner_ids=[prospect.owner_id])


def test_an_outcome_below_target_gives_one_alert_and_one_email_then_recovery_resolves_it(
    worker, rep_with_manager
):
    rep, _boss = rep_with_manager
    prospect = make_prospect(rep)
    set_target(user=rep, min_open=1)
    mail.outbox.clear()

    win(prospect)

    assert wait_for(lambda: PipelineAlert.objects.filter(user=rep).exists() and len(mail.outbox) >= 1)
    time.sleep(0.5)  # nothing else should arrive
    alert = PipelineAlert.objects.get(user=rep)
    assert (alert.rule, alert.current, alert.deficit) == (Rule.OPEN, 0, 1)
    assert alert.emailed_at is not None
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["boss@example.com", "rep@example.com"]
    assert "見込み不足アラート" in mail.outbox[0].subject and "1件不足" in mail.outbox[0].body

    # A new prospect (the create service schedules the check) brings the count back: resolved.
    with transaction.atomic():
        prospect_create(by=rep, name="新規見込み", source="referral")
    assert wait_for(lambda: PipelineAlert.objects.filter(user=rep, resolved_at__isnull=False).exists())
    assert PipelineAlert.objects.filter(user=rep).count() == 1
    assert len(mail.outbox) == 1


def test_a_retried_or_duplicated_task_sends_the_email_once(worker, rep_with_manager):
    from targets.tasks import check_pipeline_targets

    rep, _boss = rep_with_manager
    set_target(user=rep, min_open=2)
    mail.outbox.clear()
    for _ in range(3):
        check_pipeline_targets.apply_async(kwargs={"owner_ids": [rep.pk]})
    assert wait_for(lambda: len(mail.outbox) >= 1)
    time.sleep(1.5)
    assert PipelineAlert.objects.filter(user=rep).count() == 1
    assert len(mail.outbox) == 1


def test_the_digest_goes_once_a_day_to_each_person(worker, rep_with_manager):
    from targets.services import pipeline_check_run
    from targets.tasks import send_alert_digest

    rep, _boss = rep_with_manager
    set_target(user=rep, min_open=2)
    pipeline_check_run()
    mail.outbox.clear()
    send_alert_digest.apply_async()
    send_alert_digest.apply_async()
    assert wait_for(lambda: len(mail.outbox) >= 2)
    time.sleep(1.0)
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "rep@example.com"]


def test_the_tasks_retry_with_backoff_and_jitter_on_database_and_broker_errors():
    from django.db import OperationalError

    from targets.tasks import check_pipeline_targets, send_alert_digest

    for task in (check_pipeline_targets, send_alert_digest):
        assert OperationalError in task.autoretry_for
        assert task.retry_backoff and task.retry_jitter and task.max_retries
        assert task.acks_late
        visibility = app.conf.broker_transport_options["visibility_timeout"]
        assert task.soft_time_limit < task.time_limit < visibility


def test_the_beat_schedule_runs_the_check_in_working_hours_and_the_digest_in_the_morning():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE
    working = schedule["targets-check-working-hours"]["schedule"]
    assert working.hour == set(range(9, 19)) and working.minute == {0, 30}
    assert working.day_of_week == {1, 2, 3, 4, 5, 6}  # Monday to Saturday
    assert schedule["targets-check-end-of-day"]["schedule"].hour == {19}
    assert schedule["targets-check-morning"]["schedule"].hour == {8}
    digest = schedule["targets-alert-digest"]["schedule"]
    assert (digest.hour, digest.minute) == ({8}, {30})
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"


# ------------------------------------------------------------------ Redis down: saves still work


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    from salescrm.embedded import redis_binary

    return redis_binary()


@pytest.fixture
def private_redis():
    """A Redis of our own on a free port, so that stopping it never touches the shared one."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            _redis_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: socket.socket().connect_ex(("127.0.0.1", port)) == 0, 10)
        old_url = app.conf.broker_url
        app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
        app._pool = None
        app.amqp._producer_pool = None
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        app.conf.broker_url = old_url
        app._pool = None
        app.amqp._producer_pool = None


def test_with_redis_stopped_a_reassignment_still_saves_quickly(private_redis, client, monkeypatch):
    from targets.tasks import check_pipeline_targets

    manager = make_user("down-manager", Role.MANAGER)
    rep, other = make_user("down-rep"), make_user("down-other")
    team = Team.objects.create(name="Down team")
    team.members.add(rep, other)
    team.managers.add(manager)
    prospect = make_prospect(rep, name="停止中でも保存")
    # The broker works while Redis is up ...
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
    assert check_pipeline_targets.apply_async(kwargs={"owner_ids": [rep.pk]}, retry=False)
    from salescrm.lib import jobs

    published: list[tuple[str, bool]] = []
    real_enqueue = jobs.enqueue

    def spy(task, /, **kwargs):
        ok = real_enqueue(task, **kwargs)
        published.append((task.name, ok))
        return ok

    monkeypatch.setattr(jobs, "enqueue", spy)
    # ... then Redis dies.
    private_redis.kill()
    private_redis.wait(5)

    client.force_login(manager)
    data = {
        "name": prospect.name,
        "source": prospect.source,
        "owner": other.pk,
        "horizon": prospect.horizon,
        "probability": prospect.probability,
        "expected_month": "",
        "amount": "1000000",
        "version": prospect.version,
    }
    started = time.monotonic()
    response = client.post(reverse("prospects:edit", args=[prospect.pk]), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.owner_id == other.pk and prospect.version == 2
    assert elapsed < 3.0, f"the save took {elapsed:.1f}s with Redis down"
    # The check was scheduled after the commit and its publish failed (logged, left to beat).
    assert published == [("targets.check_pipeline_targets", False)]
