"""Raw SQL is written only where the ORM cannot produce the plan the data needs (STYLE.md 24, issue
15): at most RAW_SQL_LIMIT call sites in the apps, listed on failure.

A call site is one of: `<anything>.cursor()`, `<anything>.raw(...)`, `RawSQL(...)`, `.extra(...)`,
`RunSQL(...)` outside migrations, and `.execute()`/`.executemany()` on anything but a cursor (a
psycopg connection, `connection.execute`). The statements run on a cursor that a counted `cursor()`
opened (or a cursor passed in) belong to that site and are not counted again."""

from __future__ import annotations

import ast

from tests.architecture._source import app_modules, listing

RAW_SQL_LIMIT = 15
CURSOR_NAMES = {"cursor", "cur", "c"}


def _receiver_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _site(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in {"RawSQL", "RunSQL"}:
        return f"{func.id}()"
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr in {"RawSQL", "RunSQL"}:
        return f"{func.attr}()"
    if func.attr == "cursor" and not call.args:
        return f"{_receiver_name(func.value) or '?'}.cursor()"
    if func.attr in {"raw", "extra"}:
        return f".{func.attr}()"
    if func.attr in {"execute", "executemany"} and _receiver_name(func.value) not in CURSOR_NAMES:
        return f"{_receiver_name(func.value) or '?'}.{func.attr}()"
    return None


def raw_sql_sites() -> list[str]:
    sites = []
    for module in app_modules():
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and (what := _site(node)):
                sites.append((module.name, node.lineno, what))
    return [f"{name}:{line}: {what}" for name, line, what in sorted(sites)]


def test_each_kind_of_raw_sql_call_is_a_site():
    code = """
with connection.cursor() as cursor:
    cursor.execute("SELECT 1")
Prospect.objects.raw("SELECT 1")
RawSQL("1", [])
qs.extra(where=["1 = 1"])
migrations.RunSQL("SELECT 1")
conn.execute("SELECT 1")
"""
    found = [
        what for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call) and (what := _site(node))
    ]
    assert sorted(found) == sorted(
        ["connection.cursor()", ".raw()", "RawSQL()", ".extra()", "RunSQL()", "conn.execute()"]
    )


def test_raw_sql_call_sites_in_the_apps_are_few():
    sites = raw_sql_sites()
    assert len(sites) <= RAW_SQL_LIMIT, (
        f"{len(sites)} raw-SQL call sites in the apps, more than {RAW_SQL_LIMIT}; write the read with the"
        f" ORM, or once in a small module named for what it reads:{listing(sites)}"
    )
