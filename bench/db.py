"""The bench's own databases: salescrm_bench_<size> on the server of DATABASE_URL (never its database).

The server comes from DATABASE_URL (bin/bench picks it like bin/test: the variable, else the local server
on 127.0.0.1:5432, else an embedded one); only its host, port and credentials are used.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

PREFIX = "salescrm_bench"


def database_name(size: str, override: str | None = None) -> str:
    return override or f"{PREFIX}_{size.lower()}"


def url_for(server_url: str, dbname: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, ""))


def _admin_conninfo(server_url: str) -> str:
    return url_for(server_url, "postgres")


def exists(server_url: str, dbname: str) -> bool:
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone() is not None


def recreate(server_url: str, dbname: str) -> None:
    """Drop (if present) and create `dbname`. Refuses names that are not the bench's own."""
    if not dbname.startswith(PREFIX):
        raise SystemExit(f"refusing to drop {dbname!r}: the bench only ever recreates {PREFIX}* databases")
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def drop(server_url: str, dbname: str) -> None:
    if not dbname.startswith(PREFIX):
        raise SystemExit(f"refusing to drop {dbname!r}")
    with psycopg.connect(_admin_conninfo(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))


def switch(dbname: str) -> None:
    """Point Django's default connection at another database (closed now, reopened on next use)."""
    from django.db import connections

    conn = connections["default"]
    conn.close()
    conn.settings_dict["NAME"] = dbname
