"""bin/run's supervised processes (salescrm/supervisord.conf) on a private var folder and port, for the
supervision test (tests/reliability/test_supervision.py) and bin/faults' process kills.

    stack = Supervised(var_dir, env)   # env: DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, ...
    stack.start(); stack.pid("worker"); stack.kill("worker"); stack.wait_back("worker", old_pid); stack.stop()
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROGRAMS = ("web", "worker", "beat")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Supervised:
    def __init__(self, var_dir: Path, env: dict[str, str], port: int | None = None) -> None:
        self.var = Path(var_dir)
        self.port = port or free_port()
        self.env = {
            **env,
            "SALESCRM_ROOT": str(ROOT),
            "SALESCRM_VAR_DIR": str(self.var),
            "PORT": str(self.port),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', os.environ.get('PATH', ''))}",
        }
        self.env.setdefault("CELERY_QUEUE", f"supervised-{os.getpid()}-{self.port}")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rpc(self):
        from supervisor.xmlrpc import SupervisorTransport

        transport = SupervisorTransport(None, None, f"unix://{self.var / 'supervisor.sock'}")
        return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor

    def start(self, timeout: float = 60) -> None:
        (self.var / "log").mkdir(parents=True, exist_ok=True)
        log = open(self.var / "log" / "supervisord.out", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [str(BIN / "supervisord"), "-c", str(ROOT / "salescrm" / "supervisord.conf")],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"supervisord exited: see {self.var / 'log'}")
            try:
                if all(self.state(name) == "RUNNING" for name in PROGRAMS) and self.answers():
                    return
            except (OSError, xmlrpc.client.Fault):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the supervised stack did not come up in {timeout} s: see {self.var / 'log'}")

    def info(self, name: str) -> dict:
        return self.rpc().getProcessInfo(name)

    def state(self, name: str) -> str:
        return self.info(name)["statename"]

    def pid(self, name: str) -> int:
        return int(self.info(name)["pid"])

    def kill(self, name: str) -> tuple[int, float]:
        """kill -9 the program's main process; return its pid and the monotonic time of the kill."""
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        return pid, time.monotonic()

    def wait_back(self, name: str, old_pid: int, since: float, timeout: float = 30) -> float | None:
        """Seconds from `since` until a new process of `name` is RUNNING (up for `startsecs`). Whether the
        web answers meanwhile is measured by the callers' own requests: the killed master's workers
        finish on the old socket while the new one loads the app."""
        deadline = since + timeout
        while time.monotonic() < deadline:
            try:
                info = self.info(name)
                if info["statename"] == "RUNNING" and info["pid"] not in (0, old_pid):
                    return time.monotonic() - since
            except (OSError, xmlrpc.client.Fault):
                pass
            time.sleep(0.1)
        return None

    def answers(self, path: str = "/accounts/login/", timeout: float = 2) -> bool:
        """The login page answers: the web tier alone (/health/ also waits on the broker check)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status == 200
        except OSError:
            return False

    def all_pids(self) -> list[int]:
        """Every process under supervisord (gunicorn and Celery children included)."""
        if not self.process:
            return []
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            try:
                text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
            except FileNotFoundError:
                continue
            kids = [int(p) for p in text.split()]
            found += kids
            todo += kids
        return found

    def stop(self, timeout: float = 90) -> int | None:
        """SIGTERM to supervisord, as Ctrl-C in bin/run does; its exit code."""
        if not self.process or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
