"""bin/run's supervisor: a web, worker or beat process killed with SIGKILL is back within 10 s, the web
keeps answering meanwhile, and only SIGTERM/Ctrl-C stops everything."""

from __future__ import annotations

import os
import secrets
import threading
import time

import pytest
from django.db import connection

from reliability.supervised import PROGRAMS, Supervised

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Poller(threading.Thread):
    """GET /health/ every 0.2 s; records (time, answered)."""

    def __init__(self, stack: Supervised) -> None:
        super().__init__(daemon=True)
        self.stack, self.results, self.done = stack, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.results.append((time.monotonic(), self.stack.answers(timeout=10)))
            time.sleep(0.2)


@pytest.fixture
def stack(tmp_path, settings):
    from django.conf import settings as live

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "salescrm.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_MANIFEST_STATIC": "0",
        "DATABASE_URL": database_url(),
        "REDIS_URL": live.CELERY_BROKER_URL,
        "WEB_CONCURRENCY": "2",
    }
    stack = Supervised(tmp_path, env)
    stack.start()
    yield stack
    stack.stop()


def test_a_killed_process_is_back_within_10_s_the_web_answers_and_only_sigterm_stops_all(stack):
    for name in ("worker", "beat", "web"):
        poller = Poller(stack)
        poller.start()
        time.sleep(1)
        old, killed_at = stack.kill(name)
        back = stack.wait_back(name, old, killed_at)
        assert back is not None and back < 10, f"{name} back after {back} s"
        # The new process answers (for web: its own workers, once the killed master's have left).
        while not stack.answers(timeout=10) and time.monotonic() < killed_at + 10:
            time.sleep(0.2)
        answering_at = time.monotonic()
        assert answering_at < killed_at + 10, f"the web did not answer within 10 s of the {name} kill"
        time.sleep(2)
        poller.done.set()
        poller.join()
        answered = [ok for at, ok in poller.results]
        failed_late = [at - killed_at for at, ok in poller.results if not ok and at > answering_at]
        assert answered and not failed_late, f"web failed after {name} was back: {failed_late}"
        if name != "web":
            assert all(answered), f"the web stopped answering while {name} was down"
        for other in PROGRAMS:
            assert stack.state(other) == "RUNNING"

    # Only SIGTERM (bin/run sends it on Ctrl-C) stops everything, the processes' children included.
    pids = stack.all_pids()
    assert len(pids) >= 3
    assert stack.stop() == 0
    time.sleep(0.5)
    alive = [pid for pid in pids if os.path.exists(f"/proc/{pid}") and "Z" not in stat(pid)]
    assert not alive


def stat(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "Z"
