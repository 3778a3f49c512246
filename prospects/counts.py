"""Open prospects per owner and horizon (count, amount, amount x probability), read from the
trigger-kept OpenCount rows.

The triggers (prospects.models.OPEN_COUNT_TRIGGERS) make the rows exact in every transaction that writes
prospects through SQL, the ORM, COPY or psql. Two things can still make them wrong: a bulk load with the table's user
triggers disabled (the benchmark's data generator does that, then calls `rebuild()`), and a restore
of one table without the other. `reconcile()` finds and mends either; the nightly task runs it.

The lead activities' lead counts (LeadActivity.lead_count, kept by LEAD_COUNT_TRIGGERS) have the same
two risks, and `reconcile_lead_counts()` / `rebuild_lead_counts()` at the end of this module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce

from prospects.models import LEAD_RULE, OpenCount, Prospect, Status

logger = logging.getLogger(__name__)

COMPACT_LOCK = 0x7072_6F73_7001  # pg_advisory_xact_lock: one compaction or rebuild at a time

_TABLE = OpenCount._meta.db_table
_PROSPECTS = Prospect._meta.db_table
_ACTIVITIES = Prospect._meta.get_field("lead_activity").related_model._meta.db_table

# Per owner: the open count overall and per horizon. The caller formats {counts}.
OWNER_COUNTS_SQL = """
SELECT owner_id, sum(n)::bigint AS total,
    coalesce(sum(n) FILTER (WHERE horizon = 'short'), 0)::bigint AS short,
    coalesce(sum(n) FILTER (WHERE horizon = 'mid'), 0)::bigint AS mid,
    coalesce(sum(n) FILTER (WHERE horizon = 'long'), 0)::bigint AS long
FROM {counts} GROUP BY owner_id HAVING sum(n) <> 0
"""

_TRUE_COUNTS_SQL = f"""
SELECT owner_id, horizon, count(*) AS n, sum(amount) AS amount, sum(amount * probability) AS ap
FROM {_PROSPECTS} WHERE status = %(open)s GROUP BY owner_id, horizon
"""

_KEPT_SQL = f"""
SELECT owner_id, horizon, sum(n) AS n, sum(amount) AS amount, sum(amount_x_probability) AS ap
FROM {_TABLE} GROUP BY owner_id, horizon
"""

_DRIFT_SQL = f"""
SELECT coalesce(t.owner_id, c.owner_id) AS owner_id, coalesce(t.horizon, c.horizon) AS horizon,
    coalesce(t.n, 0) AS real_n, coalesce(c.n, 0) AS kept_n,
    coalesce(t.amount, 0) AS real_amount, coalesce(c.amount, 0) AS kept_amount,
    coalesce(t.ap, 0) AS real_ap, coalesce(c.ap, 0) AS kept_ap
FROM ({_TRUE_COUNTS_SQL}) t FULL JOIN ({_KEPT_SQL}) c ON c.owner_id = t.owner_id AND c.horizon = t.horizon
WHERE coalesce(t.n, 0) <> coalesce(c.n, 0) OR coalesce(t.amount, 0) <> coalesce(c.amount, 0)
    OR coalesce(t.ap, 0) <> coalesce(c.ap, 0)
"""

# The lead activities whose kept lead count differs from a real count of their leads (LEAD_RULE).
_LEAD_DRIFT_SQL = f"""
SELECT a.id, a.lead_count AS kept, coalesce(c.n, 0) AS real
FROM {_ACTIVITIES} AS a LEFT JOIN (
    SELECT lead_activity_id, count(*) AS n FROM {_PROSPECTS} WHERE {LEAD_RULE} GROUP BY lead_activity_id
) AS c ON c.lead_activity_id = a.id
WHERE a.lead_count <> coalesce(c.n, 0)
"""


def _select(sql: str, params: dict | None = None) -> list[dict]:
    """The rows of one read-only statement, as dicts."""
    # Raw SQL: the readers below are one text each (a FULL JOIN, a grouping the target check embeds).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, values, strict=True)) for values in cursor.fetchall()]


@dataclass(frozen=True)
class PipelineSums:
    """One horizon's open prospects of some owners: count, amount and weighted amount."""

    n: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def pipeline_sums(owner_ids: Iterable[int] | None = None) -> dict[str, PipelineSums]:
    """ONE query: horizon -> the open prospects' count, amount and weighted amount (amount x
    probability / 100, exact) of these owners (None: everyone). Horizons without any are absent."""
    rows = OpenCount.objects.all()
    if owner_ids is not None:
        rows = rows.filter(owner_id__in=sorted(set(owner_ids)))
    money = DecimalField(max_digits=32, decimal_places=4)
    sums = (
        rows.values("horizon")
        .annotate(
            total=Sum("n"),
            amount_sum=Coalesce(Sum("amount"), Value(Decimal(0)), output_field=money),
            weighted=Coalesce(Sum("amount_x_probability"), Value(Decimal(0)), output_field=money)
            / Value(Decimal(100)),
        )
        .exclude(total=0)
        .order_by()
    )
    return {row["horizon"]: PipelineSums(row["total"], row["amount_sum"], row["weighted"]) for row in sums}


def counts_by_owner(owner_ids: Iterable[int] | None = None) -> dict[int, tuple[int, int, int, int]]:
    """ONE query: owner id -> (total, short, mid, long) open prospects, for these owners (None: all).
    Owners without an open prospect are absent. OWNER_COUNTS_SQL is the target check's too."""
    sql = OWNER_COUNTS_SQL.format(counts=_TABLE)
    params: dict[str, list[int]] = {}
    if owner_ids is not None:
        # PostgreSQL pushes a filter on the grouped column down into the grouping.
        sql = f"SELECT * FROM ({sql}) AS owner_counts WHERE owner_id = ANY(%(owners)s)"
        params["owners"] = sorted(set(owner_ids))
    return {
        row["owner_id"]: (row["total"], row["short"], row["mid"], row["long"]) for row in _select(sql, params)
    }


def _write(*statements: tuple[str, Any]) -> int:
    """Run (sql, params) statements in one transaction; returns the last one's row count."""
    # Raw SQL: the writers below lock (an advisory lock, LOCK TABLE) and move rows in one statement
    # (DELETE ... RETURNING into INSERT, INSERT ... SELECT, UPDATE ... FROM): the ORM has none of these.
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        return cursor.rowcount


def compact() -> int:
    """Fold the rows into one per (owner, horizon) with a non-zero sum; returns the rows left. Safe
    beside concurrent writes: the DELETE takes only the rows its snapshot sees, and a row added by a
    transaction that commits meanwhile stays as it is."""
    return _write(
        ("SELECT pg_advisory_xact_lock(%s)", [COMPACT_LOCK]),
        (
            f"""
            WITH gone AS (DELETE FROM {_TABLE} RETURNING owner_id, horizon, n, amount, amount_x_probability)
            INSERT INTO {_TABLE} (owner_id, horizon, n, amount, amount_x_probability)
            SELECT owner_id, horizon, sum(n), sum(amount), sum(amount_x_probability) FROM gone
            GROUP BY owner_id, horizon
            HAVING sum(n) <> 0 OR sum(amount) <> 0 OR sum(amount_x_probability) <> 0
            """,
            None,
        ),
    )


class Drift(NamedTuple):
    """An (owner, horizon) whose kept figures differ from the real ones."""

    owner_id: int
    horizon: str
    real_n: int
    kept_n: int
    real_amount: Decimal
    kept_amount: Decimal
    real_ap: Decimal
    kept_ap: Decimal


def drift() -> list[Drift]:
    """Every (owner, horizon) whose kept figures differ from a real count. One statement (a FULL JOIN
    of two groupings, which the ORM cannot write), so one snapshot: a save committed while it runs is
    in both or in neither, and what it returns is real."""
    return [Drift(**row) for row in _select(_DRIFT_SQL, {"open": Status.OPEN.value})]


def rebuild() -> int:
    """Replace every row with a real count. The SHARE lock waits for the transactions writing prospects
    to finish and keeps new ones waiting until this commits (one grouped count of every open prospect)."""
    return _write(
        ("SELECT pg_advisory_xact_lock(%s)", [COMPACT_LOCK]),
        (f"LOCK TABLE {_PROSPECTS} IN SHARE MODE", None),
        (f"DELETE FROM {_TABLE}", None),
        (
            f"INSERT INTO {_TABLE} (owner_id, horizon, n, amount, amount_x_probability) {_TRUE_COUNTS_SQL}",
            {"open": Status.OPEN.value},
        ),
    )


def reconcile() -> int:
    """Compare the kept counts with a real count; on any difference log it and rebuild. Returns the
    number of (owner, horizon) pairs that differed (0 in a healthy database)."""
    differences = drift()
    if differences:
        logger.error(
            "open counts drifted for %d (owner, horizon) pairs, e.g. %s: rebuilding them",
            len(differences),
            differences[:5],
        )
        rebuild()
    return len(differences)


# ------------------------------------------------------------------ the lead activities' lead counts


def lead_count_drift() -> list[dict]:
    """Every lead activity whose kept lead count (LeadActivity.lead_count) differs from a real count of
    its leads: {"id", "kept", "real"}. One statement, so one snapshot (the triggers keep the count in
    the transaction that writes the prospects: a difference is a real drift)."""
    return _select(_LEAD_DRIFT_SQL)


def rebuild_lead_counts() -> int:
    """Rewrite every lead count that differs from a real count; returns how many. The SHARE lock waits
    for the transactions writing prospects to finish and keeps new ones waiting until this commits."""
    return _write(
        (f"LOCK TABLE {_PROSPECTS} IN SHARE MODE", None),
        (
            f"UPDATE {_ACTIVITIES} AS a SET lead_count = d.real FROM ({_LEAD_DRIFT_SQL}) AS d WHERE a.id = d.id",
            None,
        ),
    )


def reconcile_lead_counts() -> int:
    """Compare the kept lead counts with a real count; on any difference log it and rewrite them.
    Returns the number of lead activities whose count differed (0 in a healthy database)."""
    differences = lead_count_drift()
    if differences:
        logger.error(
            "lead counts drifted for %d lead activities, e.g. %s: rewriting them",
            len(differences),
            differences[:5],
        )
        rebuild_lead_counts()
    return len(differences)
