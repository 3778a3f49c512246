"""The embedded Redis keeps its queue on disk (append-only file): a job queued before a crash of that
Redis (kill -9) runs after it comes back, on a real Celery worker."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.utils import timezone

from closing.tasks import create_recontact_followups
from prospects.models import Prospect, Status
from salescrm import embedded
from salescrm.celery import app
from tests.conftest import make_prospect

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def private_redis(tmp_path):
    port = embedded.free_port()
    url = embedded.redis_start(tmp_path, port)
    yield tmp_path, port, url
    embedded.redis_stop(tmp_path)


def test_a_job_queued_before_a_redis_crash_runs_after_it(personas, private_redis):
    var, port, url = private_redis
    today = timezone.localdate()
    lost = make_prospect(
        personas.owner,
        status=Status.LOST,
        closed_on=today - dt.timedelta(days=30),
        lost_reason="no_response",
        recontact_on=today,
    )
    queue = f"aof-{secrets.token_hex(4)}"
    with app.connection_for_write(url) as conn:
        create_recontact_followups.apply_async(connection=conn, queue=queue)
    client = redis.Redis.from_url(url)
    assert client.llen(queue) == 1
    time.sleep(1.5)  # appendfsync everysec

    pid = int((var / "redis" / "redis.pid").read_text())
    os.kill(pid, signal.SIGKILL)
    while embedded._pid_alive(var / "redis" / "redis.pid"):
        time.sleep(0.05)
    embedded.redis_start(var, port)
    assert client.llen(queue) == 1, "the queued job was lost with the Redis process"

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "salescrm.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url(),
        "REDIS_URL": url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salescrm", "worker", "-Q", queue, "--pool", "solo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Prospect.objects.filter(origin=lost).exists():
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert Prospect.objects.filter(origin=lost).count() == 1
