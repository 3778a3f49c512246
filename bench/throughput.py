"""Throughput: the app under gunicorn (salescrm/gunicorn.conf.py, production settings plus the baseline
URL), loaded over loopback with wrk at 1, 8 and 32 connections, with sessions from a real login POST."""

from __future__ import annotations

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from bench.datagen import BENCH_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk_report.lua"
CONNECTIONS = (1, 8, 32)


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(self, database_url: str, log: Path) -> None:
        self.port = _free_port()
        self.log = log
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            DATABASE_URL=database_url,
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
            GUNICORN_MAX_REQUESTS=os.environ.get("GUNICORN_MAX_REQUESTS", "2000"),
        )
        self.env = env
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._logfile = self.log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "salescrm.wsgi:application",
                "-c",
                str(ROOT / "salescrm" / "gunicorn.conf.py"),
                "-b",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._logfile,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            try:
                status, _, _ = self.request("GET", "/accounts/login/")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in 30 s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._logfile.close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, body: str | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            cookies = SimpleCookie()
            for header in resp.headers.get_all("Set-Cookie") or []:
                cookies.load(header)
            return resp.status, {k: m.value for k, m in cookies.items()}, resp.read()
        finally:
            conn.close()

    def login(self, username: str) -> str:
        """A real login: GET the form for the CSRF cookie and token, POST it; the session cookie header."""
        status, cookies, body = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None or "csrftoken" not in cookies:
            raise RuntimeError(f"login form: HTTP {status}, no CSRF token")
        form = urllib.parse.urlencode(
            {"username": username, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token.group(1).decode()}
        )
        status, new, _ = self.request(
            "POST",
            "/accounts/login/",
            form,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
            },
        )
        if status != 302 or "sessionid" not in new:
            raise RuntimeError(f"login of {username} failed: HTTP {status}")
        return f"sessionid={new['sessionid']}; csrftoken={new.get('csrftoken', cookies['csrftoken'])}"

    def worker_rss_mb(self) -> list[float]:
        import psutil

        assert self.proc is not None
        return [
            round(child.memory_info().rss / 2**20, 1)
            for child in psutil.Process(self.proc.pid).children()
            if child.is_running()
        ]


def run_wrk(url: str, cookie: str, connections: int, seconds: int) -> dict[str, Any]:
    cmd = [
        wrk_path() or "wrk",
        f"-t{min(connections, 2)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    secs = data["duration_us"] / 1e6
    errors = data["status_errors"] + data["connect_errors"] + data["read_errors"] + data["timeouts"]
    result = {
        "connections": connections,
        "requests": data["requests"],
        "rps": round(data["requests"] / secs, 1) if secs else 0.0,
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p90_ms": round(data["p90_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "errors": errors,
    }
    if not data["requests"]:
        result["errors"] = max(errors, 1)  # nothing answered within the run: count it as a failure
    return result


def throughput(
    targets: dict[str, tuple[str, str]], *, database_url: str, seconds: int, log=print
) -> dict[str, Any]:
    """targets: label -> (path, username). Each is checked to answer 200 with that login, then loaded."""
    if wrk_path() is None:
        return {"available": False, "error": "wrk is not installed (apt-get install wrk); throughput skipped"}
    results: dict[str, Any] = {"available": True, "seconds": seconds, "pages": {}}
    with Gunicorn(database_url, ROOT / "var" / "bench" / "gunicorn.log") as server:
        results["workers"] = len(server.worker_rss_mb())
        sessions: dict[str, str] = {}
        ready: dict[str, tuple[str, str]] = {}
        for label, (path, username) in targets.items():
            if username not in sessions:
                sessions[username] = server.login(username)
            status, _, _ = server.request("GET", path, headers={"Cookie": sessions[username]})
            if status != 200:  # e.g. a redirect to the login page: loading it would measure nothing
                results["pages"][label] = {"path": path, "error": f"HTTP {status} before the load"}
            else:
                ready[label] = (path, sessions[username])
                results["pages"][label] = {"path": path, "runs": []}
        # Connection level by level, every page (and the baseline) back to back, so the drift of a
        # shared machine hits them alike.
        for connections in CONNECTIONS:
            for label, (path, cookie) in ready.items():
                # wrk stops, but requests it left queued still run: wait for one answer (it queues
                # behind them) so that the next run starts on idle workers.
                server.request("GET", "/accounts/login/")
                time.sleep(1)
                run = run_wrk(server.base + path, cookie, connections, seconds)
                log(
                    f"    {label:<14} c={connections:<3} {run['rps']:>8.1f} req/s  p95 {run['p95_ms']} ms"
                    f"  errors {run['errors']}"
                )
                results["pages"][label]["runs"].append(run)
        results["worker_rss_mb"] = server.worker_rss_mb()
    return results
