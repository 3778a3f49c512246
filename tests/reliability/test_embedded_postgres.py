"""The embedded PostgreSQL classifies characters as a standard server does, so the not-blank CHECKs
refuse a name of ideographic spaces; a cluster initialised by an older version with locale C is refused
with instructions, and `relocale` moves its data to a correct one."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from salescrm import embedded

pytestmark = pytest.mark.slow

# The not-blank rule as Django writes it for PostgreSQL (prospects.Prospect "prospect_name_not_blank").


def insert_blank(url: str) -> bool:
    """True when a name of two U+3000 is accepted."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS probe (name text CHECK (NOT (name::text ~ '^\\s*$')))")
        try:
            conn.execute("INSERT INTO probe VALUES (%s)", ["\u3000\u3000"])
        except psycopg.errors.CheckViolation:
            return False
        return True


@pytest.fixture
def var():
    # Not under pytest's tmp_path: every pytest session resets /tmp/pytest-of-root to 0700, which the
    # unprivileged postgres user (when run as root) can then no longer traverse.
    path = Path(tempfile.mkdtemp(prefix="salescrm-pg-"))
    yield path
    embedded.postgres_stop(path, mode="immediate")
    shutil.rmtree(path, ignore_errors=True)


def test_a_name_of_ideographic_spaces_fails_the_not_blank_check(var):
    url = embedded.postgres_start(var, embedded.free_port())
    embedded.ensure_database(url)
    assert not insert_blank(url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT %s ~ '^\\s*$'", ["a\u3000"]).fetchone() == (False,)


def test_an_old_locale_c_cluster_is_refused_and_relocale_keeps_its_data(var):
    pgdata = var / "postgres"
    pgdata.mkdir()
    run = embedded._as_pg_user()
    embedded._chown_tree(pgdata)
    subprocess.run(
        [
            str(embedded._pg_bin() / "initdb"),
            "-D",
            str(pgdata),
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",  # what salescrm.embedded ran before
            "-U",
            "postgres",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        **run,
    )
    port = embedded.free_port()
    with pytest.raises(embedded.LocaleMismatch, match="relocale"):
        embedded.postgres_start(var, port)
    url = f"postgres://postgres@127.0.0.1:{port}/salescrm"
    embedded.ensure_database(url)
    assert insert_blank(url)  # the old behaviour
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int, name text)")
        conn.execute("INSERT INTO kept VALUES (1, '株式会社テスト')")

    # A row the new rules refuse: nothing changes, and the message names it.
    with pytest.raises(RuntimeError, match="probe_name_check"):
        embedded.postgres_relocale(var)
    with pytest.raises(embedded.LocaleMismatch):
        embedded.postgres_start(var, port)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM probe")

    old = embedded.postgres_relocale(var)

    assert old.exists() and (pgdata / "PG_VERSION").exists()
    assert embedded.locale_ok(url)
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT id, name FROM kept").fetchall() == [(1, "株式会社テスト")]
    assert not insert_blank(url)
