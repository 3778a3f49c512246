"""The pipeline check: every scope against its target, alerts opened, refreshed and resolved."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.access import team_member_ids, team_memberships_query
from prospects.counts import OWNER_COUNTS_SQL
from prospects.models import OpenCount, Source
from salescrm.lib.gcpause import gc_paused
from targets.models import (
    OwnerFlowRollup,
    PipelineAlert,
    PipelineTarget,
    Scope,
    SourceHistoryRollup,
)
from targets.plans import stored_from
from targets.services.rollup import flow_rollup_refresh
from targets.services.rules import CheckResult, Finding, evaluate
from targets.signals import alerts_changed

logger = logging.getLogger(__name__)


BATCH_SIZE = 1000

SOURCES = [s for s, _label in Source.choices]
_SOURCE_AT = {s: i for i, s in enumerate(SOURCES)}
STATS = 4  # per source: created, kept (not lost within 30 days), won, lost
WIDTH = len(SOURCES) * STATS


def _vector_sum(vectors: Iterable[list[int]], width: int) -> list[int]:
    columns = list(zip(*vectors, strict=True))
    return [sum(c) for c in columns] if columns else [0] * width


def _fetch(sql: str, params: Any = None) -> list[tuple]:
    """All rows at once with the raw cursor: Django's iterator fetches 100 rows at a time and runs a
    converter per value."""
    # Raw SQL: _SCOPES_SQL (FULL JOINs of CTEs) has no ORM form; _rows passes ORM SQL here to fetch at once.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rows(queryset: Any) -> list[tuple]:
    """All rows of a values_list() queryset, fetched at once (see _fetch)."""
    sql, params = queryset.query.sql_with_params()
    return _fetch(sql, params)


def _stored_table(vector: list[int]) -> dict[str, list[int]]:
    """A history vector as a stored plan's source table (targets.plans.table_json)."""
    return {
        source: vector[i * STATS : i * STATS + STATS] for i, source in enumerate(SOURCES) if vector[i * STATS]
    }


# One read of the figures: kept open counts and the day's flows, summed per team and company in SQL
# (docs/performance.md, "The pipeline target check"); a change of a team's members rebuilds its plans.
_SCOPES_SQL = """
WITH o AS MATERIALIZED ({owner_counts}),
po AS MATERIALIZED (
    SELECT coalesce(o.owner_id, f.owner_id) AS owner_id, coalesce(o.total, 0) AS total,
        coalesce(o.short, 0) AS short, coalesce(o.mid, 0) AS mid, coalesce(o.long, 0) AS long,
        coalesce(f.inflow, 0) AS inflow, coalesce(f.outflow, 0) AS outflow, coalesce(f.history, 0) AS history
    FROM o FULL JOIN (
        SELECT owner_id, inflow, outflow, history FROM {flows}
        WHERE day = %(day)s AND owner_id IS NOT NULL
    ) f ON f.owner_id = o.owner_id
),
tm AS (
    SELECT m.team_id, sum(po.total)::bigint AS total, sum(po.short)::bigint AS short,
        sum(po.mid)::bigint AS mid, sum(po.long)::bigint AS long, sum(po.inflow)::bigint AS inflow,
        sum(po.outflow)::bigint AS outflow, sum(po.history)::bigint AS history,
        bit_xor(hashint8extended(m.user_id, 0)) AS members
    FROM ({members}) m LEFT JOIN po ON po.owner_id = m.user_id
    GROUP BY m.team_id
),
s (user_id, team_id, min_open, min_short, min_mid, min_long, total, short, mid, long, inflow, outflow,
    history, members) AS (
    SELECT t.user_id, t.team_id, t.min_open, t.min_short, t.min_mid, t.min_long,
        coalesce(po.total, 0), coalesce(po.short, 0), coalesce(po.mid, 0), coalesce(po.long, 0),
        coalesce(po.inflow, 0), coalesce(po.outflow, 0), coalesce(po.history, 0), 0
    FROM {targets} t LEFT JOIN po ON po.owner_id = t.user_id
    WHERE t.user_id IS NOT NULL
    UNION ALL
    SELECT NULL, t.team_id, t.min_open, t.min_short, t.min_mid, t.min_long,
        coalesce(tm.total, 0), coalesce(tm.short, 0), coalesce(tm.mid, 0), coalesce(tm.long, 0),
        coalesce(tm.inflow, 0), coalesce(tm.outflow, 0), coalesce(tm.history, 0), coalesce(tm.members, 0)
    FROM {targets} t LEFT JOIN tm ON tm.team_id = t.team_id
    WHERE t.team_id IS NOT NULL
    UNION ALL
    SELECT NULL, NULL, t.min_open, t.min_short, t.min_mid, t.min_long, c.total, c.short, c.mid, c.long,
        coalesce(f.inflow, 0), coalesce(f.outflow, 0), coalesce(f.history, 0), 0
    FROM {targets} t
        CROSS JOIN (
            SELECT coalesce(sum(total), 0)::bigint AS total, coalesce(sum(short), 0)::bigint AS short,
                coalesce(sum(mid), 0)::bigint AS mid, coalesce(sum(long), 0)::bigint AS long FROM o
        ) c
        LEFT JOIN {flows} f ON f.day = %(day)s AND f.owner_id IS NULL
    WHERE t.user_id IS NULL AND t.team_id IS NULL
)
-- Only the targets that may give a finding (evaluate() decides): below a minimum, or losing
-- prospects (inflow < outflow) while at or above the total minimum (a possible early warning).
SELECT * FROM s
WHERE total < min_open OR short < min_short OR mid < min_mid OR long < min_long
    OR (inflow < outflow AND total >= min_open AND min_open > 0)
"""


def _scope_figures(day: dt.date) -> list[tuple]:
    """Rows (user_id, team_id, min_open, min_short, min_mid, min_long, total, short, mid, long,
    inflow, outflow, history, members_hash), one per target that may give a finding."""
    memberships_sql, no_params = team_memberships_query().query.sql_with_params()
    assert not no_params  # embedded in a statement of named parameters
    sql = _SCOPES_SQL.format(
        owner_counts=OWNER_COUNTS_SQL.format(counts=OpenCount._meta.db_table),
        flows=OwnerFlowRollup._meta.db_table,
        targets=PipelineTarget._meta.db_table,
        members=memberships_sql,
    )
    return _fetch(sql, {"day": day})


# Read every owner's history rows of the day when more owners than this have plans to rebuild (the
# first check of a day): one scan of the day's rows beats a long ANY(...) list.
HISTORY_READ_ALL = 2000


def _history_vectors(day: dt.date, owners: set[int]) -> dict[int | None, list[int]]:
    """ONE query: the day's source history of these owners and of the company (key None)."""
    rows = SourceHistoryRollup.objects.filter(day=day).order_by()
    if len(owners) <= HISTORY_READ_ALL:
        rows = rows.filter(Q(owner__isnull=True) | Q(owner_id__in=sorted(owners)))
    vectors: dict[int | None, list[int]] = {}
    for owner_id, source, *stats in _rows(
        rows.values_list("owner_id", "source", "created", "kept", "won", "lost")
    ):
        at = _SOURCE_AT.get(source)
        if at is not None:
            vector = vectors.get(owner_id)
            if vector is None:
                vector = vectors[owner_id] = [0] * WIDTH
            vector[at * STATS : at * STATS + STATS] = stats
    return vectors


def build_plans(findings: list[Finding], day: dt.date) -> None:
    """The stored replenishment plans of these findings (targets.plans; their at-risk extras kept),
    from the day's source history: two queries (the members of the teams among them, then the history
    rows of their owners and the company's) whatever their number."""
    team_ids = sorted({f.key[2] for f in findings if f.key[0] == Scope.TEAM})
    members = team_member_ids(team_ids) if team_ids else {}
    owners = {f.key[1] for f in findings if f.key[0] == Scope.USER}
    for team_id in team_ids:
        owners.update(members[team_id])
    vectors = _history_vectors(day, owners)  # type: ignore[arg-type]
    no_history = [0] * WIDTH
    company_vector = vectors.get(None, no_history)
    company_table = _stored_table(company_vector)
    for f in findings:
        kind, uid, tid = f.key
        if kind == Scope.USER:
            vector = vectors.get(uid, no_history)
        elif kind == Scope.TEAM:
            vector = _vector_sum((vectors[o] for o in members[tid] if o in vectors), WIDTH)  # type: ignore[index]
        else:
            vector = company_vector
        plan = stored_from(sum(vector[0::STATS]), _stored_table(vector), company_table)
        plan.update(f.plan)
        f.plan = plan


# Each batch is ONE statement with ONE parameter, a JSON array of the rows (jsonb_to_recordset):
# arrays of plan texts as parameters were quoted value by value on the client (docs/performance.md).
_INSERT_SQL = """
INSERT INTO {alerts} (scope, user_id, team_id, rule, current, target, deficit, opened_at, checked_at,
    projected_date, plan, plan_inputs)
SELECT v.scope, v.user_id, v.team_id, v.rule, v.current, v.target, v.deficit, %(now)s, %(now)s,
    v.projected_date, v.plan, v.plan_inputs
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(scope varchar, user_id bigint, team_id bigint, rule varchar,
    current integer, target integer, deficit integer, projected_date date, plan jsonb, plan_inputs bigint)
ON CONFLICT DO NOTHING
RETURNING id
"""
# COALESCE keeps the stored plan where its inputs did not change (plan null). Django's bulk_update
# would write a CASE WHEN per column and row.
_UPDATE_SQL = """
UPDATE {alerts} AS a SET current = v.current, target = v.target, deficit = v.deficit,
    projected_date = v.projected_date, plan = COALESCE(v.plan, a.plan), plan_inputs = v.plan_inputs,
    checked_at = %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, current integer, target integer, deficit integer,
    projected_date date, plan jsonb, plan_inputs bigint)
WHERE a.id = v.id AND a.resolved_at IS NULL
"""


_REFILLED_SQL = """
UPDATE {alerts} AS a SET plan = a.plan || jsonb_build_object('refilled', v.refilled)
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, refilled jsonb)
WHERE a.id = v.id
"""


def _batch_json(rows: list[dict]) -> str:
    # default: dates as ISO text; no spaces after separators (1,000 plans are ~1 MB of JSON).
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), default=str)


@gc_paused()
def pipeline_check_run(
    *, owner_ids: Iterable[int] | None = None, now: dt.datetime | None = None, refresh_history: bool = False
) -> CheckResult:
    """Compare every scope with its target and open, refresh or resolve alerts.

    `owner_ids` names the owners whose prospects changed (for the log); the check is cheap and
    always covers every scope, so a team or the company is never left stale. Idempotent: running it
    twice, or on two workers at once, leaves one open alert per scope and rule (the partial unique
    constraint and INSERT ... ON CONFLICT DO NOTHING).

    The open counts are live. The replenishment history and the early warning's inflow and outflow
    come from the daily rollup of `now`'s local day (flow_rollup_refresh, run by beat after midnight):
    when it does not exist yet (the first check of a day, a fresh install) it is computed first, so
    they are never older than the day; prospects created or closed later that day count from the next
    day on. `refresh_history=True` recomputes the day's rollup first (tests that change the history
    within a day, a manual re-run).

    Reads, whatever the number of scopes: the rollup's stamp, ONE statement of per-target figures
    (open counts, flows and team sums in SQL) and the open alerts without their plans. A plan is
    built only for an alert that is new or whose plan inputs changed (compared by fingerprint, which
    includes the rollup: each plan is rebuilt once a day); only then are the history rows of those
    scopes' owners read. Other findings keep an empty `plan` in the result. Writes are batched
    statements of BATCH_SIZE rows.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    rollup = flow_rollup_refresh(now, force=refresh_history)
    stamp = int(rollup.computed_at.timestamp() * 1_000_000)
    findings = evaluate(_scope_figures(today), stamp, today)

    # (scope, user, team, rule) -> (id, (current, target, deficit, projected_date), plan_inputs)
    existing = {
        (scope, uid, tid, rule): (pk, (current, target, deficit, projected), inputs)
        for pk, scope, uid, tid, rule, current, target, deficit, projected, inputs in _rows(
            PipelineAlert.objects.open()
            .order_by()
            .values_list(
                "id",
                "scope",
                "user_id",
                "team_id",
                "rule",
                "current",
                "target",
                "deficit",
                "projected_date",
                "plan_inputs",
            )
        )
    }
    pairs = [(f, existing.pop((*f.key, f.rule), None)) for f in findings]
    stale = [f for f, alert in pairs if alert is None or alert[2] != f.inputs]
    if stale:
        build_plans(stale, today)

    new: list[dict] = []
    changed: list[dict] = []
    for f, alert in pairs:
        if alert is None:
            kind, uid, tid = f.key
            new.append(
                {
                    "scope": kind,
                    "user_id": uid,
                    "team_id": tid,
                    "rule": f.rule,
                    "current": f.current,
                    "target": f.target,
                    "deficit": f.deficit,
                    "projected_date": f.projected_date,
                    "plan": f.plan,
                    "plan_inputs": f.inputs,
                }
            )
            continue
        pk, values, inputs = alert
        plan_changed = inputs != f.inputs
        if plan_changed or values != (f.current, f.target, f.deficit, f.projected_date):
            changed.append(
                {
                    "id": pk,
                    "current": f.current,
                    "target": f.target,
                    "deficit": f.deficit,
                    "projected_date": f.projected_date,
                    "plan": f.plan if plan_changed else None,
                    "plan_inputs": f.inputs,
                }
            )
        if not plan_changed:
            f.plan = {}
    # What is left of the open alerts has no finding any more: the scope recovered.
    recovered = [pk for pk, _values, _inputs in existing.values()]

    result = CheckResult(findings=findings, updated=len(changed), resolved=len(recovered))
    opened_ids: list[int] = []
    resolved_ids: list[int] = []
    if new or changed or recovered:
        alerts = connection.ops.quote_name(PipelineAlert._meta.db_table)
        insert, update = (sql.format(alerts=alerts).strip() for sql in (_INSERT_SQL, _UPDATE_SQL))
        # Raw SQL: batched INSERT ... ON CONFLICT and UPDATE ... FROM a JSON parameter, one per 1,000 alerts.
        with transaction.atomic(), connection.cursor() as cursor:
            # The alerts are derived from the prospects and targets, and every check rewrites them: a
            # crash in the instant after this commit loses nothing that the next check would not
            # write again, so the commit need not wait for its WAL to reach the disk. (Any later
            # synchronous commit, such as the emailed_at stamps, flushes this one first.)
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for i in range(0, len(new), BATCH_SIZE):
                # ON CONFLICT DO NOTHING: a concurrent run that inserted the same open alert wins.
                cursor.execute(insert, {"now": now, "rows": _batch_json(new[i : i + BATCH_SIZE])})
                ids = [row[0] for row in cursor.fetchall()]
                opened_ids += ids
                result.opened += len(ids)
            for i in range(0, len(changed), BATCH_SIZE):
                cursor.execute(update, {"now": now, "rows": _batch_json(changed[i : i + BATCH_SIZE])})
            if recovered:
                # An alert resolves by itself when the count recovers; the resolution time is kept.
                # Locked first, so a concurrent check cannot resolve (and announce) the same alerts.
                resolved_ids = list(
                    PipelineAlert.objects.select_for_update()
                    .filter(pk__in=recovered, resolved_at__isnull=True)
                    .values_list("pk", flat=True)
                )
                result.resolved = PipelineAlert.objects.filter(pk__in=resolved_ids).update(
                    resolved_at=now, checked_at=now
                )
                # The plan keeps what refilled the pipeline: the sources and lead activities of
                # the prospects gained since the alert opened (activities.yields.alert_refills).
                from activities.yields import alert_refills

                refills = [{"id": pk, "refilled": r} for pk, r in alert_refills(alert_ids=recovered).items()]
                for i in range(0, len(refills), BATCH_SIZE):
                    cursor.execute(
                        _REFILLED_SQL.format(alerts=alerts),
                        {"rows": _batch_json(refills[i : i + BATCH_SIZE])},
                    )
            if opened_ids or resolved_ids:
                alerts_changed.send(sender=pipeline_check_run, opened=opened_ids, resolved=resolved_ids)
    logger.info(
        "pipeline check (owners %s): %d findings, %d new, %d updated, %d resolved, %d plans built",
        sorted(owner_ids) if owner_ids else "all",
        len(findings),
        result.opened,
        result.updated,
        result.resolved,
        len(stale),
    )
    return result
