"""Fault and load scenarios against a private copy of the whole stack (issue 7).

    bin/faults            # the full run (~10 minutes), writes docs/reliability.md
    bin/faults --quick    # a smoke run (~3 minutes): short faults, 5 kills, 30 s steady load

Everything runs on loopback, on servers of its own under var/faults: an embedded PostgreSQL and a
redis-server on free ports, a gunicorn (salescrm/gunicorn.conf.py, production settings) and a Celery
worker on a queue of its own. The shared PostgreSQL/Redis are never touched. The exit code is 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reliability.load import UserSession, run_load, summary  # noqa: E402
from salescrm import embedded  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
REPS = ["tanaka", "takahashi", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "kato"]
PASSWORD = "demo-pass-2026"
MARKER_REP = "kato"  # the rep whose target is set out of reach, so that the check must open alerts


@dataclass
class Row:
    scenario: str
    measure: str
    value: str
    target: str
    passed: bool | None  # None: informational

    @property
    def verdict(self) -> str:
        return "-" if self.passed is None else ("PASS" if self.passed else "FAIL")


@dataclass
class Stack:
    var: Path
    env: dict = field(default_factory=dict)
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    web_port: int = 0

    # ------------------------------------------------------------------------------ servers
    def start(self) -> None:
        self.stop_servers()
        if self.var.exists():
            shutil.rmtree(self.var)
        self.var.mkdir(parents=True)
        db_url = embedded.postgres_start(self.var, embedded.free_port())
        embedded.ensure_database(db_url)
        redis_url = embedded.redis_start(self.var, embedded.free_port())
        mail = self.var / "mail"
        mail.mkdir()
        self.web_port = embedded.free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "CELERY_QUEUE": f"faults-{secrets.token_hex(4)}",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_HSTS_SECONDS": "0",
            "WEB_CONCURRENCY": "3",
            "GUNICORN_ACCESSLOG": str(self.var / "access.log"),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail),
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("DJANGO_DEBUG", None)
        for key in ("DATABASE_URL", "REDIS_URL", "CELERY_QUEUE", "DJANGO_SECRET_KEY", "EMAIL_BACKEND"):
            os.environ[key] = self.env[key]
        os.environ["EMAIL_FILE_PATH"] = self.env["EMAIL_FILE_PATH"]
        os.environ.pop("DJANGO_DEBUG", None)
        os.environ["DJANGO_ALLOWED_HOSTS"] = "127.0.0.1"
        log = open(self.var / "setup.log", "w")  # noqa: SIM115
        for command in (["migrate", "--noinput"], ["seed_demo"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [PY, "manage.py", *command], cwd=ROOT, env=self.env, check=True, stdout=log, stderr=log
            )
        self.start_web()
        self.start_worker()

    def start_web(self) -> None:
        log = open(self.var / "gunicorn.log", "a")  # noqa: SIM115
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "salescrm/gunicorn.conf.py",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "salescrm.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        (self.var / "gunicorn.pid").write_text(str(self.web.pid))
        embedded._wait_port(self.web_port, 30)

    def start_worker(self) -> None:
        log = open(self.var / "worker.log", "a")  # noqa: SIM115
        self.worker = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "salescrm",
                "worker",
                "-Q",
                self.env["CELERY_QUEUE"],
                "--concurrency",
                "2",
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        (self.var / "worker.pid").write_text(str(self.worker.pid))

    def stop_servers(self) -> None:
        for proc in (self.web, self.worker):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for name in ("gunicorn.pid", "worker.pid"):  # left running by an earlier --keep run
            path = self.var / name
            with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
                os.kill(int(path.read_text()), signal.SIGTERM)
                time.sleep(2)
            path.unlink(missing_ok=True)
        pidfile = self.var / "redis" / "redis.pid"
        if pidfile.exists():
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pidfile.read_text()), signal.SIGCONT)
        embedded.redis_stop(self.var)
        embedded.postgres_stop(self.var)

    # ------------------------------------------------------------------------------ faults
    def redis_pid(self) -> int:
        return int((self.var / "redis" / "redis.pid").read_text().strip())

    def redis_port(self) -> int:
        return int((self.var / "redis.port").read_text())

    def redis_up(self) -> None:
        embedded.redis_start(self.var, self.redis_port())

    def pg_restart(self) -> None:
        subprocess.run(
            [
                str(embedded._pg_bin() / "pg_ctl"),
                "-D",
                str(self.var / "postgres"),
                "-w",
                "-m",
                "fast",
                "restart",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **embedded._as_pg_user(),
        )

    def web_workers(self) -> list[int]:
        return children(self.web.pid)

    def worker_children(self) -> list[int]:
        return children(self.worker.pid)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")
    import django

    django.setup()


def db():
    """A fresh connection for each check (the server may have been restarted meanwhile)."""
    from django.db import connection

    connection.close()
    return connection


def enqueue_check() -> bool:
    from salescrm.lib.jobs import enqueue
    from targets.tasks import check_pipeline_targets

    return enqueue(check_pipeline_targets, owner_ids=None)


def open_alerts_for_marker() -> int:
    from targets.models import PipelineAlert

    db()
    return PipelineAlert.objects.open().filter(user__username=MARKER_REP).count()


def set_marker_target() -> None:
    from accounts.models import User
    from targets.models import PipelineTarget

    db()
    user = User.objects.get(username=MARKER_REP)
    PipelineTarget.objects.update_or_create(
        user=user, defaults={"min_open": 500, "min_short": 200, "min_mid": 200, "min_long": 100}
    )


def forget_marker_alerts() -> None:
    from targets.models import PipelineAlert

    db()
    PipelineAlert.objects.filter(user__username=MARKER_REP).delete()


# ---------------------------------------------------------------------------------- scenarios


def scenario_redis(stack: Stack, sessions, args, how: str) -> list[Row]:
    """Redis stopped (SIGTERM) or frozen (SIGSTOP ... SIGCONT) during a 20-user load of page views
    and saves; after it returns, how long until the worker consumes a check again."""
    fault = args.fault_seconds
    pid = stack.redis_pid()

    def fault_on():
        if how == "stopped":
            embedded.redis_stop(stack.var)
        else:
            os.kill(pid, signal.SIGSTOP)

    def fault_off():
        if how == "stopped":
            stack.redis_up()
        else:
            os.kill(pid, signal.SIGCONT)

    forget_marker_alerts()
    rec = run_load(
        sessions,
        duration=fault + 10,
        mix="pages_and_saves",
        think=args.think,
        events=[(5, fault_on), (5 + fault, fault_off)],
    )
    s = summary(rec.results)
    returned = rec.marks["fault_off"]
    name = f"1. Redis {how} {fault:.0f} s"
    rows = [
        Row(name, "requests (20 users, pages + saves)", str(s["requests"]), "", None),
        Row(name, "failed web requests", str(s["failed"]), "0", s["failed"] == 0),
        Row(name, "max latency", f"{s['max']:.2f} s", "< 2 s", s["max"] < 2.0),
        Row(name, "p95 latency", f"{s['p95']:.2f} s", "", None),
    ]
    report_details(s)
    # Scenario 2: the worker consumes again without a restart. The saves during the load already
    # enqueue checks; enqueue one more explicitly and wait for the alert it must open.
    forget_marker_alerts()
    deadline = returned + 60
    seconds = None
    enqueued = False
    while time.monotonic() < deadline:
        if not enqueued:
            enqueued = enqueue_check()
        if open_alerts_for_marker():
            seconds = time.monotonic() - returned
            break
        time.sleep(0.5)
    value = f"{seconds:.1f} s" if seconds is not None else "not within 60 s"
    rows.append(
        Row(
            f"2. worker after Redis {how}",
            "first check consumed after Redis returned",
            value,
            "< 30 s",
            seconds is not None and seconds < 30,
        )
    )
    return rows


def report_details(s: dict) -> None:
    if s["samples"]:
        print("   failures:", *s["samples"], sep="\n     ")
    print("   slowest:", *s["slowest"], sep="\n     ")
    print("   by action:", *(f"{k}: {v}" for k, v in s["by_action"].items()), sep="\n     ")


def count_mail_messages(mail: Path) -> dict[str, int]:
    """Subject -> number of messages in the file-based email backend's folder."""
    import email

    subjects: dict[str, int] = {}
    for path in mail.glob("*.log"):
        for chunk in path.read_text(encoding="utf-8", errors="replace").split("-" * 79):
            if "Subject:" not in chunk:
                continue
            message = email.message_from_string(chunk.strip())
            subject = str(email.header.make_header(email.header.decode_header(message["Subject"] or "")))
            subjects[subject] = subjects.get(subject, 0) + 1
    return subjects


def scenario_worker_kills(stack: Stack, args) -> list[Row]:
    """kill -9 a worker child while checks run, N times; then one open alert per breach, one email
    per alert."""
    from targets.models import PipelineAlert

    mail = Path(stack.env["EMAIL_FILE_PATH"])
    time.sleep(3)  # let the checks queued by the earlier scenarios finish
    forget_marker_alerts()
    for f in mail.glob("*"):
        f.unlink()
    kills = 0
    killed_busy = 0
    for _ in range(args.kills):
        for _ in range(4):  # keep both children busy with checks
            enqueue_check()
        time.sleep(random.uniform(0.05, 0.3))
        # Wait (up to 2 s) for a child that is on the CPU, i.e. running a check, and kill it.
        victim, on_cpu = None, False
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not on_cpu:
            pool = stack.worker_children()
            before = {pid: cpu_ticks(pid) or 0 for pid in pool}
            time.sleep(0.05)
            running = [pid for pid in pool if (cpu_ticks(pid) or 0) > before[pid]]
            if running:
                victim, on_cpu = random.choice(running), True
            elif pool:
                victim = random.choice(pool)
        if victim is None:
            time.sleep(1)
            continue
        killed_busy += on_cpu
        try:
            os.kill(victim, signal.SIGKILL)
            kills += 1
        except ProcessLookupError:
            pass
        time.sleep(random.uniform(0.5, 1.5))  # the pool replaces the child
    # Drain: the killed tasks are redelivered (acks_late + reject_on_worker_lost); one more check.
    enqueue_check()
    quiet_until = time.monotonic() + 90
    import redis

    client = redis.Redis.from_url(stack.env["REDIS_URL"])
    while time.monotonic() < quiet_until:
        if client.llen(stack.env["CELERY_QUEUE"]) == 0 and not client.hlen("unacked"):
            break
        time.sleep(1)
    time.sleep(3)
    db()
    alerts = list(PipelineAlert.objects.open().filter(user__username=MARKER_REP))
    keys = [(a.scope, a.user_id, a.team_id, a.rule) for a in alerts]
    duplicates = len(keys) - len(set(keys))
    expected_rules = 4  # min_open, short, mid, long are all out of reach
    emailed = sum(1 for a in alerts if a.emailed_at)
    messages = count_mail_messages(mail)
    total_messages = sum(messages.values())
    per_alert_ok = total_messages == len(alerts) and all(n == 1 for n in messages.values())
    name = f"3. worker child kill -9, {kills} times"
    return [
        Row(name, "kills while a child was on the CPU", f"{killed_busy}/{kills}", "", None),
        Row(
            name,
            "open alerts per breach",
            f"{len(alerts)} alerts, {duplicates} duplicates",
            f"{expected_rules}, 0 duplicates",
            len(alerts) == expected_rules and duplicates == 0,
        ),
        Row(
            name,
            "emails per alert",
            f"{total_messages} messages for {len(alerts)} alerts ({emailed} marked)",
            "1 each",
            per_alert_ok,
        ),
    ]


def cpu_ticks(pid: int) -> int | None:
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, IndexError):
        return None
    return int(parts[11]) + int(parts[12])


def scenario_postgres_restart(stack: Stack, sessions, args) -> list[Row]:
    """pg_ctl restart -m fast under a write-heavy load; errors only near the restart; every
    acknowledged write present afterwards."""
    from prospects.models import Prospect

    duration = max(20.0, args.fault_seconds + 10)

    def pg_restart():
        stack.pg_restart()

    rec = run_load(sessions, duration=duration, mix="writes", think=args.think, events=[(5, pg_restart)])
    s = summary(rec.results)
    at = rec.marks["pg_restart"]
    failed = [r for r in rec.results if not r.ok]
    if failed:
        first = min(r.start for r in failed) - at
        last = max(r.start + r.latency for r in failed) - at
        window = f"{first:+.1f} s … {last:+.1f} s around the restart"
        window_ok = last - first < 10 and first > -1
    else:
        window, window_ok = "no errors", True
    late = [r for r in rec.results if r.start > at + 10]
    late_failed = sum(1 for r in late if not r.ok)
    db()
    created_ids = {pk for pk, _ in rec.created}
    found = dict(Prospect.objects.filter(pk__in=created_ids).values_list("pk", "name"))
    missing_creates = sum(1 for pk, name in rec.created if found.get(pk) != name)
    event_model = Prospect.pgh_event_models["update"] if hasattr(Prospect, "pgh_event_models") else None
    missing_edits = 0
    from django.apps import apps

    event_model = apps.get_model("prospects", "ProspectEvent")
    for pk, marker in rec.edited:
        if not event_model.objects.filter(pgh_obj_id=pk, notes=marker).exists():
            missing_edits += 1
    name = "4. PostgreSQL restart (-m fast)"
    if s["samples"]:
        print("   failures:", *s["samples"], sep="\n     ")
    return [
        Row(name, "requests / failed", f"{s['requests']} / {s['failed']}", "", None),
        Row(name, "error window", window, "< 10 s, at the restart", window_ok),
        Row(
            name,
            "failed requests > 10 s after (no app restart)",
            str(late_failed),
            "0",
            late_failed == 0 and len(late) > 0,
        ),
        Row(
            name,
            "acknowledged creates missing",
            f"{missing_creates} of {len(rec.created)}",
            "0",
            missing_creates == 0 and len(rec.created) > 0,
        ),
        Row(
            name,
            "acknowledged edits missing",
            f"{missing_edits} of {len(rec.edited)}",
            "0",
            missing_edits == 0 and len(rec.edited) > 0,
        ),
    ]


def scenario_gunicorn_kill(stack: Stack, sessions, args) -> list[Row]:
    grace = 5.0
    before = stack.web_workers()

    def kill_worker():
        os.kill(random.choice(stack.web_workers()), signal.SIGKILL)

    duration = max(20.0, args.fault_seconds + 10)
    rec = run_load(
        sessions, duration=duration, mix="pages_and_saves", think=args.think, events=[(5, kill_worker)]
    )
    at = rec.marks["kill_worker"]
    after = stack.web_workers()
    during = sum(1 for r in rec.results if not r.ok and r.start <= at + grace)
    late = [r for r in rec.results if r.start > at + grace]
    late_failed = sum(1 for r in late if not r.ok)
    name = "5. gunicorn worker kill -9"
    return [
        Row(
            name,
            "workers before / after",
            f"{len(before)} / {len(after)}",
            "replaced",
            len(after) == len(before) and set(after) != set(before),
        ),
        Row(name, f"failed within {grace:.0f} s of the kill", str(during), "", None),
        Row(name, f"failed after {grace:.0f} s", f"{late_failed} of {len(late)}", "0", late_failed == 0),
    ]


def scenario_steady(stack: Stack, sessions, args) -> list[Row]:
    rec = run_load(sessions, duration=args.duration, mix="realistic", think=args.think)
    s = summary(rec.results)
    rate = s["requests"] / args.duration
    name = f"6. steady {len(sessions)} users {args.duration:.0f} s"
    if s["samples"]:
        print("   failures:", *s["samples"], sep="\n     ")
    return [
        Row(name, "requests", f"{s['requests']} ({rate:.1f}/s)", "", None),
        Row(name, "error rate", f"{s['error_rate']:.2f} %", "0.00 %", s["failed"] == 0),
        Row(
            name,
            "p50 / p95 / p99",
            f"{s['p50'] * 1000:.0f} / {s['p95'] * 1000:.0f} / {s['p99'] * 1000:.0f} ms",
            "",
            None,
        ),
        Row(name, "max", f"{s['max'] * 1000:.0f} ms", "", None),
    ]


SAVES = ("edit save", "board move", "create")  # reliability/load.py's actions that write


def scenario_process_kills(stack: Stack, sessions_unused, args) -> list[Row]:
    """bin/run's supervisor (salescrm/supervisord.conf) over the same PostgreSQL and Redis: the worker,
    beat and web (gunicorn master) each killed with kill -9 during a load of page views and saves; how
    long until each is back, the saves attempted and failed, and marker jobs queued just before the
    worker kill that never ran."""
    import threading
    import uuid

    from pipeline.tasks import horizon_upkeep
    from reliability.supervised import Supervised

    queue = f"supervised-{secrets.token_hex(4)}"
    sup = Supervised(stack.var / "supervised", {**stack.env, "CELERY_QUEUE": queue})
    sup.start()
    try:
        sessions = [UserSession(sup.url, REPS[i % len(REPS)], PASSWORD) for i in range(args.users)]
        for s in sessions:
            s.login()
        back: dict[str, float | None] = {}
        markers: list[str] = []
        ran: list[str] = []

        def killer(name: str):
            def kill() -> None:
                if name == "worker":  # jobs waiting and in flight when the worker dies
                    for _ in range(args.markers):
                        task_id = str(uuid.uuid4())
                        horizon_upkeep.apply_async(queue=queue, task_id=task_id)
                        markers.append(task_id)
                    time.sleep(0.2)
                old, at = sup.kill(name)
                threading.Thread(
                    target=lambda: back.__setitem__(name, sup.wait_back(name, old, at, timeout=60)),
                    daemon=True,
                ).start()

            kill.__name__ = f"kill_{name}"
            return kill

        gap = args.kill_gap
        rec = run_load(
            sessions,
            duration=3 * gap + 10,
            mix="pages_and_saves",
            think=args.think,
            events=[(5, killer("worker")), (5 + gap, killer("beat")), (5 + 2 * gap, killer("web"))],
        )
        deadline = time.monotonic() + 90
        log = stack.var / "supervised" / "log" / "worker.log"
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace") if log.exists() else ""
            ran = [m for m in markers if f"[{m}] succeeded" in text]
            if len(ran) == len(markers):
                break
            time.sleep(1)
        for _ in range(60):
            if len(back) == 3:
                break
            time.sleep(1)
        missing = set(markers) - set(ran)
        if missing:  # where the lost jobs are: still held unacknowledged, or nowhere
            import redis

            client = redis.Redis.from_url(stack.env["REDIS_URL"])
            held = " ".join(v.decode(errors="replace") for v in client.hvals("unacked"))
            print(f"   lost jobs held unacknowledged: {sum(m in held for m in missing)} of {len(missing)}")
    finally:
        sup.stop()
    saves = [r for r in rec.results if r.action in SAVES]
    failed_saves = [r for r in saves if not r.ok]
    others_failed = sum(1 for r in rec.results if not r.ok and r.action not in SAVES)
    if failed_saves or others_failed:
        print("   failures:", *summary(rec.results)["samples"], sep="\n     ")
    name = "7. bin/run's supervisor, kill -9"
    rows = []
    for program in ("worker", "beat", "web"):
        seconds = back.get(program)
        rows.append(
            Row(
                name,
                f"{program} back (running again)",
                f"{seconds:.1f} s" if seconds is not None else "not within 60 s",
                "< 10 s",
                seconds is not None and seconds < 10,
            )
        )
    rows += [
        Row(
            name,
            "saves attempted / failed",
            f"{len(saves)} / {len(failed_saves)}",
            "0 failed",
            len(failed_saves) == 0 and len(saves) > 0,
        ),
        Row(name, "other requests failed", f"{others_failed} of {len(rec.results) - len(saves)}", "", None),
        Row(
            name,
            "queued jobs lost (worker kill)",
            f"{len(markers) - len(ran)} of {len(markers)}",
            "0",
            len(ran) == len(markers) and len(markers) > 0,
        ),
    ]
    return rows


# ---------------------------------------------------------------------------------- report


def git_commit() -> str:
    def run(*cmd):
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = run("git", "rev-parse", "--short", "HEAD") or "unknown"
    dirty = run("git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/reliability.md")
    return commit + ("+changes" if dirty else "")


def table(rows: list[Row]) -> str:
    lines = ["| Scenario | Measure | Result | Target | |", "|---|---|---|---|---|"]
    lines += [f"| {r.scenario} | {r.measure} | {r.value} | {r.target} | {r.verdict} |" for r in rows]
    return "\n".join(lines)


DOC_HEAD = """# Reliability: faults and load

Measured by `bin/faults` (`make faults`) on a private copy of the stack: embedded PostgreSQL and
redis-server on free loopback ports under `var/faults`, gunicorn with `salescrm/gunicorn.conf.py`
(production settings, `WEB_CONCURRENCY=3`, sync workers), one Celery worker
(`--concurrency 2`, a queue of its own), the demo data of `manage.py seed_demo`. The load generator
(`reliability/load.py`) runs one thread per user, each logged in once through the login form, with a
think time of {think} s between actions. A request fails when no response came or the status is not
the expected one (5xx always fails; a 409 version conflict between two users on the same card is a
correct answer). Machine: {machine}. `bin/faults --quick` is the smoke version (short faults, 5 kills,
30 s of steady load); it does not overwrite this file unless `--write` is given.

Scenarios: 1. Redis stopped (SIGTERM) and, separately, frozen (SIGSTOP … SIGCONT) for {fault} s
during a 20-user load of page views and saves (edits through the edit form and board moves, which
enqueue the pipeline check after the commit; board and list pages). 2. After Redis returns, the
worker consumes again without a restart: a check is enqueued and the alert it must open is awaited.
3. The worker's child killed with `kill -9` while checks run (a rep's target set out of reach, so
that each run must open alerts); afterwards one open alert per breach and one email per alert (file
email backend). 4. PostgreSQL restarted (`pg_ctl restart -m fast`) under a write load (creates via the
create form, edits via the edit form); every acknowledged create (id from the redirect) and edit (a
marker in the next action, looked up in the history) is present afterwards. 5. A gunicorn worker
killed with `kill -9`. 6. Steady load: prospect list with filters, board, board moves (htmx),
edits, creates, CSV export. 7. bin/run's process supervisor (supervisord, `salescrm/supervisord.conf`)
over the same servers: its worker, beat and web (the gunicorn master) each killed with `kill -9`,
{kill_gap} s apart, during a 20-user load of page views and saves; {markers} jobs queued just before the
worker kill must all run (counted in the worker's log).
"""


def write_doc(rows: list[Row], args, started: dt.datetime, elapsed: float) -> None:
    import platform

    machine = (
        f"{os.cpu_count()} CPU, {platform.python_implementation()} {platform.python_version()}, shared with "
        f"other jobs (load average {args.load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)"
    )
    head = DOC_HEAD.format(
        think=f"{args.think[0]} to {args.think[1]}",
        machine=machine,
        fault=f"{args.fault_seconds:.0f}",
        kill_gap=f"{args.kill_gap:.0f}",
        markers=args.markers,
    )
    run = (
        f"## Run of {started:%Y-%m-%d %H:%M} UTC, commit {args.commit}\n\n"
        f"Mode: {'quick' if args.quick else 'full'}, {args.users} users, run time {elapsed / 60:.1f} min.\n\n"
    )
    passed = all(r.passed is not False for r in rows)
    verdict = (
        "All targets met."
        if passed
        else "Targets missed: " + ", ".join(f"{r.scenario} — {r.measure}" for r in rows if r.passed is False)
    )
    doc = ROOT / "docs" / "reliability.md"
    # The hand-written findings below the figures survive a new run.
    old = doc.read_text() if doc.exists() else ""
    notes = old[old.index(NOTES_MARK) :] if NOTES_MARK in old else ""
    doc.write_text(
        head + "\n" + run + table(rows) + "\n\n" + verdict + "\n" + ("\n" + notes if notes else "")
    )


NOTES_MARK = "## Findings and fixes"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: ~10 s faults, 5 kills, 30 s steady")
    parser.add_argument("--duration", type=float, help="steady load seconds (default 300, quick 30)")
    parser.add_argument("--fault-seconds", type=float, help="Redis fault length (default 60, quick 10)")
    parser.add_argument("--kills", type=int, help="worker child kills (default 20, quick 5)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 5.0), metavar=("MIN", "MAX"))
    parser.add_argument("--write", action="store_true", help="write docs/reliability.md also for --quick")
    parser.add_argument("--only", help="comma-separated scenario numbers (1,3,4,5,6,7; 2 runs with 1)")
    parser.add_argument("--markers", type=int, default=20, help="jobs queued just before the worker kill (7)")
    parser.add_argument(
        "--kill-gap", type=float, help="seconds between the kills of scenario 7 (default 30, quick 15)"
    )
    parser.add_argument("--keep", action="store_true", help="leave the servers running at the end")
    args = parser.parse_args(argv)
    args.duration = args.duration or (30.0 if args.quick else 300.0)
    args.fault_seconds = args.fault_seconds or (10.0 if args.quick else 60.0)
    args.kills = args.kills or (5 if args.quick else 20)
    args.kill_gap = args.kill_gap or (15.0 if args.quick else 30.0)
    only = set((args.only or "1,3,4,5,6,7").split(","))

    started = dt.datetime.now(dt.UTC)
    args.load_before = os.getloadavg()[0]
    args.commit = git_commit()  # the code the servers run
    t_start = time.monotonic()
    stack = Stack(ROOT / "var" / "faults")
    rows: list[Row] = []
    try:
        print("starting private PostgreSQL, Redis, gunicorn, Celery worker under var/faults …", flush=True)
        stack.start()
        setup_django()
        set_marker_target()
        sessions = [
            UserSession(f"http://127.0.0.1:{stack.web_port}", REPS[i % len(REPS)], PASSWORD)
            for i in range(args.users)
        ]
        for s in sessions:
            s.login()
        print(f"{len(sessions)} users logged in", flush=True)
        steps = [
            ("1", "Redis stopped", lambda: scenario_redis(stack, sessions, args, "stopped")),
            ("1", "Redis frozen", lambda: scenario_redis(stack, sessions, args, "frozen")),
            ("3", "worker kills", lambda: scenario_worker_kills(stack, args)),
            ("4", "PostgreSQL restart", lambda: scenario_postgres_restart(stack, sessions, args)),
            ("5", "gunicorn worker kill", lambda: scenario_gunicorn_kill(stack, sessions, args)),
            ("6", "steady load", lambda: scenario_steady(stack, sessions, args)),
            (
                "7",
                "process kills under the supervisor",
                lambda: scenario_process_kills(stack, sessions, args),
            ),
        ]
        for number, title, step in steps:
            if number not in only:
                continue
            print(f"-- {title} …", flush=True)
            new = step()
            for r in new:
                print(f"   {r.measure}: {r.value} (target {r.target or '-'}) {r.verdict}", flush=True)
            rows += new
    finally:
        if not args.keep:
            stack.stop_servers()
    elapsed = time.monotonic() - t_start
    print()
    print(table(rows))
    if not args.quick or args.write:
        write_doc(rows, args, started, elapsed)
        print("\nwritten to docs/reliability.md")
    missed = [r for r in rows if r.passed is False]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
