"""Bulk inserts and updates with PostgreSQL's COPY.

For large imports Django's bulk_create spends most of its time building and quoting a huge INSERT on
the client (pghistory's context injection forces client-side parameter binding); COPY streams the rows
instead. Triggers fire for COPY as for INSERT, so history is recorded; inside `pghistory.context()` one
injected statement first sets the context for the rest of the transaction (pghistory uses
transaction-local settings), so every history event names the actor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models, transaction
from psycopg import sql


@contextmanager
def _copy_cursor(what: str) -> Iterator[Any]:
    """Django's cursor for a COPY, inside the caller's transaction (the history context is
    transaction-local), with psycopg's errors turned into Django's."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{what} must run inside transaction.atomic()")
    with connection.cursor() as cursor, connection.wrap_database_errors:
        yield cursor


def copy_insert(model: type[models.Model], objs: Iterable[models.Model], *, set_pks: bool = False) -> int:
    """INSERT `objs` (unsaved, without primary keys) with COPY; returns the number of rows.

    Field defaults and auto_now values are applied as save() would. Primary keys are set on the objects
    only with `set_pks` (`objs` then a list): they are taken from the table's sequence first, in one
    query, so rows written next can point at them. Must run inside a transaction (the history context
    is transaction-local).
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or set_pks]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    # Raw SQL: COPY, the fastest load PostgreSQL has; the ORM has no COPY.
    with _copy_cursor("copy_insert") as cursor:
        if set_pks:
            objs = list(objs)
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(objs)],
            )
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        cursor.execute("DO $$ BEGIN END $$")  # a write-class statement: pghistory injects its context here
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields])
                count += 1
    return count


def copy_update(model: type[models.Model], objs: Sequence[models.Model], fields: Iterable[str]) -> int:
    """UPDATE the columns of `fields` of the saved `objs` to their values on the objects, in one
    statement; returns the number of rows updated.

    bulk_update's CASE WHEN per field and row is compiled by the ORM in Python, which costs far more
    than the update (docs/performance.md); here the values are COPYed into a temporary table of the
    same column types and joined in one UPDATE ... FROM. auto_now fields are set as save() would (list
    them in `fields`). Triggers fire per row as for any UPDATE. Must run inside a transaction.
    """
    pk = model._meta.pk
    columns = [model._meta.get_field(name) for name in dict.fromkeys(fields)]
    if any(not f.concrete or f.primary_key for f in columns):
        raise ValueError("copy_update updates concrete fields other than the primary key")
    table = sql.Identifier(model._meta.db_table)
    temp = sql.Identifier(f"copy_update_{model._meta.db_table}")
    names = sql.SQL(", ").join(sql.Identifier(f.column) for f in [pk, *columns])
    statements = [
        sql.SQL("DROP TABLE IF EXISTS {temp}").format(temp=temp),
        sql.SQL(
            "CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"
        ).format(temp=temp, names=names, table=table),
    ]
    update = sql.SQL("UPDATE {table} AS t SET {sets} FROM {temp} AS s WHERE t.{pk} = s.{pk}").format(
        table=table,
        temp=temp,
        pk=sql.Identifier(pk.column),
        sets=sql.SQL(", ").join(
            sql.SQL("{col} = s.{col}").format(col=sql.Identifier(f.column)) for f in columns
        ),
    )
    # Raw SQL: the ORM has neither COPY nor UPDATE ... FROM.
    with _copy_cursor("copy_update") as cursor:
        if not objs:
            return 0
        raw = cursor.cursor
        for statement in statements:
            cursor.execute(statement.as_string(raw))
        with raw.copy(sql.SQL("COPY {temp} ({names}) FROM STDIN").format(temp=temp, names=names)) as copy:
            for obj in objs:
                copy.write_row(
                    [pk.get_db_prep_save(obj.pk, connection)]
                    + [f.get_db_prep_save(f.pre_save(obj, add=False), connection) for f in columns]
                )
        # Through Django's cursor: pghistory injects its context (the actor) into this statement.
        cursor.execute(update.as_string(raw))
        return cursor.rowcount
