"""Backup drill: the demo company is backed up with bin/backup and restored with bin/restore into an
empty database; every table then holds the same rows (count and checksum) and every sequence the same
position. The databases are private to the drill and dropped afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
# Private to this test process: parallel runs (pytest-xdist) must never drop each other's databases.
_SUFFIX = os.environ.get("PYTEST_XDIST_WORKER", "main")
SOURCE_DB = os.environ.get("DRILL_SOURCE_DB", f"salescrm_drill_src_{_SUFFIX}")
TARGET_DB = os.environ.get("DRILL_TARGET_DB", f"salescrm_drill_dst_{_SUFFIX}")

pytestmark = pytest.mark.slow


def url_for(name: str) -> str:
    base = os.environ["DATABASE_URL"].split("?")[0]
    return base.rsplit("/", 1)[0] + "/" + name


def admin_url() -> str:
    return url_for("postgres")


def recreate(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop(name: str) -> None:
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def run(args: list[str], database: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url_for(database), "DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def fingerprint(database: str) -> dict[str, tuple]:
    """{table: (row count, md5 of all rows in a stable order)} plus {sequence: last value}."""
    found: dict[str, tuple] = {}
    with psycopg.connect(url_for(database)) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
            )
        ]
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t"
            )
            found[table] = tuple(conn.execute(query.format(sql.Identifier(table))).fetchone())
        for (sequence,) in conn.execute(
            "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'"
        ).fetchall():
            query = sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(sequence))
            found[f"sequence {sequence}"] = tuple(conn.execute(query).fetchone())
    return found


@pytest.fixture
def drill_databases():
    recreate(SOURCE_DB)
    recreate(TARGET_DB)
    yield
    drop(SOURCE_DB)
    drop(TARGET_DB)


def test_a_backup_restores_into_an_empty_database_with_identical_rows(drill_databases, tmp_path):
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v0"], SOURCE_DB)
    run([python, "manage.py", "seed_demo"], SOURCE_DB)
    before = fingerprint(SOURCE_DB)
    assert before["prospects_prospect"][0] >= 100, "the demo data was not seeded"
    assert before["prospects_prospectevent"][0] > 0, "the history was not seeded"

    dump = tmp_path / "drill.dump"
    run(["bin/backup", "--output", str(dump)], SOURCE_DB)
    assert dump.stat().st_size > 0
    assert dump.read_bytes()[:5] == b"PGDMP"  # custom format

    run(["bin/restore", str(dump), "--yes"], TARGET_DB)
    after = fingerprint(TARGET_DB)

    assert sorted(after) == sorted(before)
    mismatches = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
    assert mismatches == {}

    # The restored database works for the application: migrations are all applied, history triggers fire.
    run([python, "manage.py", "migrate", "--check", "--noinput"], TARGET_DB)
    with psycopg.connect(url_for(TARGET_DB)) as conn:
        events = conn.execute("SELECT count(*) FROM prospects_prospectevent").fetchone()[0]
        conn.execute(
            "UPDATE prospects_prospect SET probability = 100 - probability WHERE id = (SELECT min(id) FROM prospects_prospect)"
        )
        assert conn.execute("SELECT count(*) FROM prospects_prospectevent").fetchone()[0] == events + 1


def test_restore_refuses_without_confirmation(drill_databases, tmp_path):
    dump = tmp_path / "empty.dump"
    run(["bin/backup", "--output", str(dump)], SOURCE_DB)
    env = {**os.environ, "DATABASE_URL": url_for(TARGET_DB)}
    result = subprocess.run(
        ["bin/restore", str(dump)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0
    assert "--yes" in result.stderr


def test_backup_without_a_file_name_writes_a_dated_dump_into_backup_dir(drill_databases, tmp_path):
    env = {**os.environ, "DATABASE_URL": url_for(SOURCE_DB), "BACKUP_DIR": str(tmp_path)}
    result = subprocess.run(["bin/backup"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    written = Path(result.stdout.strip())
    assert written.parent == tmp_path
    assert written.name.startswith("salescrm-") and written.suffix == ".dump"
    assert [p.name for p in tmp_path.iterdir()] == [written.name]  # no partial file left behind
