"""Bulk inserts with PostgreSQL's COPY.

For large imports Django's bulk_create spends most of its time building and quoting a huge INSERT on
the client (pghistory's context injection forces client-side parameter binding); COPY streams the rows
instead. Triggers fire for COPY as for INSERT, so history is recorded; inside `pghistory.context()` one
injected statement first sets the context for the rest of the transaction (pghistory uses
transaction-local settings), so every history event names the actor.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction


def copy_insert(model: type[models.Model], objs: Iterable[models.Model], *, set_pks: bool = False) -> int:
    """INSERT `objs` (unsaved, without primary keys) with COPY; returns the number of rows.

    Field defaults and auto_now values are applied as save() would. Primary keys are set on the objects
    only with `set_pks` (`objs` then a list): they are taken from the table's sequence first, in one
    query, so rows written next can point at them. Must run inside a transaction (the history context
    is transaction-local).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("copy_insert must run inside transaction.atomic()")
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or set_pks]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    # Raw SQL: COPY, the fastest load PostgreSQL has; the ORM has no COPY.
    with connection.cursor() as cursor, connection.wrap_database_errors:
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
