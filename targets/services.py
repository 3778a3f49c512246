"""Pipeline targets: the check that compares every scope with its target, the alerts it opens and
resolves, the replenishment plan, the early warning, and the emails.

The check reads everything it needs in a constant number of queries (one statement for the targets'
figures: the trigger-kept open counts, the day's flows, team and company sums; the open alerts; and,
for the plans to rebuild, the teams' members and the source history) and writes in batches, so its
cost does not grow with the number of reps. The plans themselves are in targets/plans.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Role, Team, User
from prospects.counts import OWNER_COUNTS_SQL, counts_by_owner
from prospects.models import Horizon, OpenCount, Prospect, Source, Status
from salescrm.lib.gcpause import gc_paused
from salescrm.lib.jobs import enqueue_on_commit
from targets.models import (
    AlertDigest,
    OwnerFlowRollup,
    PipelineAlert,
    PipelineTarget,
    Rule,
    Scope,
    SourceHistoryRollup,
)
from targets.plans import MIN_HISTORY, stored_from

logger = logging.getLogger(__name__)

HORIZONS = [h for h, _label in Horizon.choices]
HISTORY_DAYS = 180  # the replenishment plan looks at prospects created in the last 180 days ...
MATURITY_DAYS = 30  # ... that are at least 30 days old: did they survive their first 30 days?
FLOW_DAYS = 90  # the early warning projects the last 90 days of inflow and outflow ...
PROJECTION_DAYS = 30  # ... 30 days ahead
BATCH_SIZE = 1000

# A scope key: ("user", user_id, None), ("team", None, team_id) or ("company", None, None).
ScopeKey = tuple[str, int | None, int | None]
COMPANY: ScopeKey = (Scope.COMPANY.value, None, None)


def user_key(user_id: int) -> ScopeKey:
    return (Scope.USER.value, user_id, None)


def team_key(team_id: int) -> ScopeKey:
    return (Scope.TEAM.value, None, team_id)


def parse_scope_key(text: str) -> ScopeKey | None:
    """'company', 'team-3', 'user-5' -> a scope key; None when malformed."""
    if text == "company":
        return COMPANY
    kind, _sep, pk = text.partition("-")
    if kind in (Scope.USER, Scope.TEAM) and pk.isdigit():
        return user_key(int(pk)) if kind == Scope.USER else team_key(int(pk))
    return None


def scope_key_text(key: ScopeKey) -> str:
    kind, uid, tid = key
    return "company" if kind == Scope.COMPANY else f"{kind}-{uid or tid}"


def target_key(target: PipelineTarget) -> ScopeKey:
    return target_key_of(target.user_id, target.team_id)


def target_key_of(user_id: int | None, team_id: int | None) -> ScopeKey:
    if user_id:
        return user_key(user_id)
    if team_id:
        return team_key(team_id)
    return COMPANY


@dataclass
class Counts:
    total: int = 0
    short: int = 0
    mid: int = 0
    long: int = 0

    def add(self, other: Counts) -> None:
        self.total += other.total
        self.short += other.short
        self.mid += other.mid
        self.long += other.long

    def get(self, rule: str) -> int:
        return self.total if rule in (Rule.OPEN, Rule.AT_RISK) else getattr(self, rule)


# ---------------------------------------------------------------------------------------------- reads


def open_counts_by_owner() -> dict[int, Counts]:
    """ONE query over the trigger-kept OpenCount rows: open prospects per owner and horizon."""
    return {
        owner_id: Counts(total=total, short=short, mid=mid, long=long)
        for owner_id, (total, short, mid, long) in counts_by_owner().items()
    }


def team_memberships() -> dict[int, set[int]]:
    """ONE query: team id -> member user ids."""
    teams: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in Team.members.through.objects.values_list("team_id", "user_id"):
        teams[team_id].add(user_id)
    return teams


def scope_owner_ids(key: ScopeKey, memberships: dict[int, set[int]]) -> set[int] | None:
    """The owners whose prospects count for a scope; None means everyone (the company)."""
    kind, uid, tid = key
    if kind == Scope.USER:
        return {uid}  # type: ignore[arg-type]
    if kind == Scope.TEAM:
        return set(memberships.get(tid, set()))  # type: ignore[arg-type]
    return None


def sum_for(per_owner: dict[int, Any], owners: set[int] | None, factory: Any) -> Any:
    """Sum per-owner values (objects with .add) over a scope's owners (all of them for None)."""
    total = factory()
    # Walk the scope's own owners, not every owner: 11,000 scopes x 10,000 reps was 10^8 steps (24 s).
    values = per_owner.values() if owners is None else (per_owner[o] for o in owners if o in per_owner)
    for value in values:
        total.add(value)
    return total


def scope_counts(
    keys: Iterable[ScopeKey], by_owner: dict[int, Counts], memberships: dict[int, set[int]]
) -> dict[ScopeKey, Counts]:
    """A team's count is the sum of its members'; the company's is all open prospects."""
    return {key: sum_for(by_owner, scope_owner_ids(key, memberships), Counts) for key in keys}


# A scope's source history is a flat list of ints (created, kept, won, lost per source), summed
# column-wise for a team: a dataclass or dict per source and owner, summed over 11,000 scopes, was
# most of a run at 10,000 reps.
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


# ------------------------------------------------------------------------------ the daily rollup
# The replenishment history (prospects created 30 to 180 days ago, per owner and source) and the
# early warning's inflow and outflow (the last 90 days) are statistics over months: they change by
# the day. They are computed once per local day, in PostgreSQL, into OwnerFlowRollup (per owner:
# inflow, outflow, history size; owner null: the company) and SourceHistoryRollup (per owner and
# source: created, kept, won, lost), and every check of that day reads them. The windows end at the
# day's local midnight, so a day's rollup is the same whenever (and by whichever worker) it is
# computed: history = created in [midnight - 180 days, midnight - 30 days]; inflow = created in
# [midnight - 90 days, midnight); outflow = won or lost on one of the 90 days before the day.

ROLLUP_LOCK = 0x7461_7267_6574_01  # pg_advisory_xact_lock: one refresh at a time ("targ" "et" 1)

_ROLLUP_SQL = """
WITH h AS (
    SELECT owner_id, source,
        count(*) FILTER (WHERE created_at <= %(cutoff)s) AS created,
        count(*) FILTER (
            WHERE created_at <= %(cutoff)s AND NOT (
                status = %(lost)s AND closed_on IS NOT NULL
                AND closed_on <= (created_at AT TIME ZONE %(tz)s)::date + %(maturity)s
            )
        ) AS kept,
        count(*) FILTER (WHERE created_at <= %(cutoff)s AND status = %(won)s) AS won,
        count(*) FILTER (WHERE created_at <= %(cutoff)s AND status = %(lost)s) AS lost,
        count(*) FILTER (WHERE created_at >= %(since)s) AS inflow
    FROM {prospects}
    WHERE created_at >= %(start)s AND created_at < %(midnight)s
    GROUP BY owner_id, source
),
o AS (
    SELECT owner_id, count(*) AS outflow
    FROM {prospects}
    WHERE status IN (%(won)s, %(lost)s) AND closed_on >= %(out_from)s AND closed_on < %(day)s
    GROUP BY owner_id
),
sources AS (
    INSERT INTO {sources} (day, owner_id, source, created, kept, won, lost)
    SELECT %(day)s, owner_id, source, created, kept, won, lost FROM h WHERE created > 0
    UNION ALL
    SELECT %(day)s, NULL, source, sum(created), sum(kept), sum(won), sum(lost)
    FROM h GROUP BY source HAVING sum(created) > 0
),
flows AS (
    SELECT coalesce(p.owner_id, o.owner_id) AS owner_id, coalesce(p.inflow, 0) AS inflow,
        coalesce(o.outflow, 0) AS outflow, coalesce(p.history, 0) AS history
    FROM (SELECT owner_id, sum(inflow) AS inflow, sum(created) AS history FROM h GROUP BY owner_id) p
    FULL JOIN o ON o.owner_id = p.owner_id
)
INSERT INTO {flows} (day, owner_id, inflow, outflow, history, computed_at)
SELECT %(day)s, owner_id, inflow, outflow, history, %(computed_at)s FROM flows
UNION ALL
SELECT %(day)s, NULL, coalesce(sum(inflow), 0), coalesce(sum(outflow), 0), coalesce(sum(history), 0),
    %(computed_at)s
FROM flows
"""


@dataclass
class FlowRollup:
    day: dt.date
    computed_at: dt.datetime  # identifies the rollup: part of every plan's fingerprint
    computed: bool  # computed by this call (False: it existed)


def _rollup_stamp(cursor: Any, day: dt.date) -> dt.datetime | None:
    cursor.execute(
        f"SELECT computed_at FROM {OwnerFlowRollup._meta.db_table} WHERE day = %s AND owner_id IS NULL", [day]
    )
    row = cursor.fetchone()
    return row[0] if row else None


def flow_rollup_refresh(now: dt.datetime | None = None, *, force: bool = False) -> FlowRollup:
    """Compute the rollup of `now`'s local day unless it exists (`force`: recompute it). ONE INSERT ...
    SELECT ... GROUP BY in PostgreSQL fills both tables (no row goes through Python), in a transaction
    that holds an advisory lock and first deletes the rows of the days before yesterday (yesterday's
    stay for a check that started before midnight). Idempotent: a second call the same day, or a
    concurrent one on another worker (it waits for the lock, then finds the rows), changes nothing;
    the unique constraints on (day, owner[, source]) refuse a second set in any case."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    with connection.cursor() as cursor:
        if not force and (stamp := _rollup_stamp(cursor, day)) is not None:
            return FlowRollup(day, stamp, computed=False)
        with transaction.atomic():
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK])
            if not force and (stamp := _rollup_stamp(cursor, day)) is not None:
                return FlowRollup(day, stamp, computed=False)  # another worker computed it meanwhile
            for model in (OwnerFlowRollup, SourceHistoryRollup):
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE day < %s OR day = %s",
                    [day - dt.timedelta(days=1), day],
                )
            midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            # The wall clock, not `now`: a recomputed rollup must get a new identity even when a test
            # passes the same `now` twice.
            computed_at = timezone.now()
            cursor.execute(
                _ROLLUP_SQL.format(
                    prospects=Prospect._meta.db_table,
                    sources=SourceHistoryRollup._meta.db_table,
                    flows=OwnerFlowRollup._meta.db_table,
                ),
                {
                    "day": day,
                    "midnight": midnight,
                    "start": midnight - dt.timedelta(days=HISTORY_DAYS),
                    "cutoff": midnight - dt.timedelta(days=MATURITY_DAYS),
                    "since": midnight - dt.timedelta(days=FLOW_DAYS),
                    "out_from": day - dt.timedelta(days=FLOW_DAYS),
                    "maturity": MATURITY_DAYS,
                    "tz": timezone.get_current_timezone_name(),
                    "won": Status.WON.value,
                    "lost": Status.LOST.value,
                    "computed_at": computed_at,
                },
            )
    logger.info("flow rollup of %s computed", day)
    return FlowRollup(day, computed_at, computed=True)


# The check's one read of figures: per target, the live open counts (the OpenCount rows kept by the
# prospect table's triggers, a few per owner: ~5 ms at L, where counting the 1,000,000 open prospects
# themselves took 130-200 ms even index-only) and the day's flows, summed over a team's
# members and over everyone for the company in the same statement (in Python the sums and the join
# cost ~100 ms). A team also gets a fingerprint of its member ids (XOR of their hashes): its history is
# the sum of theirs, so a change of members must rebuild its plans.
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
    FROM {members} m LEFT JOIN po ON po.owner_id = m.user_id
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
    sql = _SCOPES_SQL.format(
        owner_counts=OWNER_COUNTS_SQL.format(counts=OpenCount._meta.db_table),
        flows=OwnerFlowRollup._meta.db_table,
        targets=PipelineTarget._meta.db_table,
        members=Team.members.through._meta.db_table,
    )
    return _fetch(sql, {"day": day})


# Read every owner's history rows of the day when more owners than this have plans to rebuild (the
# first check of a day): one scan of the day's rows beats a long ANY(...) list.
HISTORY_READ_ALL = 2000


def _history_vectors(day: dt.date, owners: set[int]) -> dict[int | None, list[int]]:
    """ONE query: the day's source history of these owners and of the company (key None)."""
    sql = f"SELECT owner_id, source, created, kept, won, lost FROM {SourceHistoryRollup._meta.db_table} WHERE day = %s"
    params: list[Any] = [day]
    if len(owners) <= HISTORY_READ_ALL:
        sql += " AND (owner_id IS NULL OR owner_id = ANY(%s))"
        params.append(sorted(owners))
    vectors: dict[int | None, list[int]] = {}
    for owner_id, source, *stats in _fetch(sql, params):
        at = _SOURCE_AT.get(source)
        if at is not None:
            vector = vectors.get(owner_id)
            if vector is None:
                vector = vectors[owner_id] = [0] * WIDTH
            vector[at * STATS : at * STATS + STATS] = stats
    return vectors


# ------------------------------------------------------------------------------------ pure rules


@dataclass
class Projection:
    current: int
    projected: float  # the count PROJECTION_DAYS from today
    rate_per_day: float
    crosses_on: dt.date | None  # when the line reaches the target, if it falls below it in the window


def project(*, current: int, inflow: int, outflow: int, target: int, today: dt.date) -> Projection:
    """Linear: today + 30 * (in - out) / 90. An early warning when it ends below the target while the
    count today is not below it; the date is the day the line reaches the target."""
    rate = (inflow - outflow) / FLOW_DAYS
    projected = max(0.0, current + PROJECTION_DAYS * rate)  # a count never goes below zero
    crosses_on = None
    if target > 0 and current >= target and projected < target and rate < 0:
        crosses_on = today + dt.timedelta(days=math.ceil((current - target) / -rate - 1e-9))
    return Projection(current, projected, rate, crosses_on)


# --------------------------------------------------------------------------------------- the check


@dataclass
class Finding:
    key: ScopeKey
    rule: str
    current: int
    target: int
    deficit: int
    projected_date: dt.date | None = None
    plan: dict = field(default_factory=dict)
    inputs: int | None = None  # the fingerprint of the plan's inputs (plan_inputs)
    history: int = 0  # the size of the scope's replenishment history (prospects)


@dataclass
class CheckResult:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    findings: list[Finding] = field(default_factory=list)


# Part of every plan's fingerprint: bump it when replenishment_plan() changes what it writes, so
# that the next check rebuilds every open alert's plan.
PLAN_VERSION = 4  # 3: no source labels; 4: the plan's inputs stored, expanded when shown (targets.plans)


def plan_inputs(history: int, rollup: int, members: int, extra: tuple[float, float, int, int] | None) -> int:
    """The fingerprint of a stored plan's inputs, kept with the alert: a plan is rebuilt (and its JSON
    rewritten) only when this changes. The plan reads the scope's (or, with too little history, the
    company's) source history of the day's rollup: `rollup` identifies that rollup (a new day, or a
    recomputed rollup, rebuilds each plan once), `members` a team's member set (its history is the sum
    of theirs), `history` the scope's history size (which basis). The deficit is not in it: the lead
    numbers are worked out from the alert's deficit when the plan is shown. hash() of ints, floats
    and None is the same in every process (only str/bytes hashing is randomised)."""
    return hash((PLAN_VERSION, MIN_HISTORY, rollup, members, history, extra))


def evaluate(rows: list[tuple], rollup: int, today: dt.date) -> list[Finding]:
    """Every target against its scope's figures (rows of _scope_figures). A finding's plan holds only
    the at-risk extras here; its `inputs` (see plan_inputs) say which full plan it needs, built later
    for those that changed."""
    findings: list[Finding] = []
    append = findings.append
    user, team = Scope.USER.value, Scope.TEAM.value
    r_open, r_short, r_mid, r_long = Rule.OPEN.value, Rule.SHORT.value, Rule.MID.value, Rule.LONG.value
    for (
        uid,
        tid,
        min_open,
        min_short,
        min_mid,
        min_long,
        total,
        short,
        mid,
        long_,
        new,
        out,
        history,
        members,
    ) in rows:
        key = (user, uid, None) if uid else (team, None, tid) if tid else COMPANY
        for rule, minimum, current in (
            (r_open, min_open, total),
            (r_short, min_short, short),
            (r_mid, min_mid, mid),
            (r_long, min_long, long_),
        ):
            if minimum is not None and current < minimum:
                deficit = minimum - current
                inputs = plan_inputs(history, rollup, members, None)
                append(Finding(key, rule, current, minimum, deficit, None, {}, inputs, history))
        if min_open is not None and new < out and total >= min_open:
            p = project(current=total, inflow=new, outflow=out, target=min_open, today=today)
            if p.crosses_on is not None:
                deficit = max(1, math.ceil(min_open - p.projected - 1e-9))
                extra = {
                    "projected": round(p.projected, 1),
                    "rate_per_day": round(p.rate_per_day, 4),
                    "inflow": new,
                    "outflow": out,
                }
                inputs = plan_inputs(history, rollup, members, tuple(extra.values()))
                append(
                    Finding(
                        key,
                        Rule.AT_RISK.value,
                        total,
                        min_open,
                        deficit,
                        p.crosses_on,
                        extra,
                        inputs,
                        history,
                    )
                )
    return findings


def build_plans(findings: list[Finding], day: dt.date) -> None:
    """The stored replenishment plans of these findings (targets.plans; their at-risk extras kept),
    from the day's source history: two queries (the members of the teams among them, then the history rows of
    their owners and the company's) whatever their number."""
    team_ids = sorted({f.key[2] for f in findings if f.key[0] == Scope.TEAM})
    members: dict[int, list[int]] = defaultdict(list)
    if team_ids:
        for team_id, user_id in _fetch(
            f"SELECT team_id, user_id FROM {Team.members.through._meta.db_table} WHERE team_id = ANY(%s)",
            [team_ids],
        ):
            members[team_id].append(user_id)
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
# arrays of plan texts as parameters were quoted value by value on the client, ~0.7 s for 6,000 plans.
_INSERT_SQL = (
    'INSERT INTO "targets_pipelinealert" ("scope", "user_id", "team_id", "rule", "current", "target", '
    '"deficit", "opened_at", "checked_at", "projected_date", "plan", "plan_inputs") '
    "SELECT v.scope, v.user_id, v.team_id, v.rule, v.current, v.target, v.deficit, %s, %s, "
    "v.projected_date, v.plan, v.plan_inputs FROM jsonb_to_recordset(%s::jsonb) AS v(scope varchar, "
    "user_id bigint, team_id bigint, rule varchar, current integer, target integer, deficit integer, "
    "projected_date date, plan jsonb, plan_inputs bigint) ON CONFLICT DO NOTHING"
)
# COALESCE keeps the stored plan where its inputs did not change (plan null). Django's bulk_update
# would write a CASE WHEN per column and row.
_UPDATE_SQL = (
    'UPDATE "targets_pipelinealert" AS a SET "current" = v.current, "target" = v.target, '
    '"deficit" = v.deficit, "projected_date" = v.projected_date, '
    '"plan" = COALESCE(v.plan, a."plan"), "plan_inputs" = v.plan_inputs, "checked_at" = %s '
    "FROM jsonb_to_recordset(%s::jsonb) AS v(id bigint, current integer, target integer, "
    "deficit integer, projected_date date, plan jsonb, plan_inputs bigint) "
    'WHERE a."id" = v.id AND a."resolved_at" IS NULL'
)
_RESOLVE_SQL = (
    'UPDATE "targets_pipelinealert" SET "resolved_at" = %s, "checked_at" = %s '
    'WHERE "id" = ANY(%s) AND "resolved_at" IS NULL'
)
_OPEN_ALERTS_SQL = (
    'SELECT "id", "scope", "user_id", "team_id", "rule", "current", "target", "deficit", '
    '"projected_date", "plan_inputs" FROM "targets_pipelinealert" WHERE "resolved_at" IS NULL'
)


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
        for pk, scope, uid, tid, rule, current, target, deficit, projected, inputs in _fetch(_OPEN_ALERTS_SQL)
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
    if new or changed or recovered:
        with transaction.atomic(), connection.cursor() as cursor:
            # The alerts are derived from the prospects and targets, and every check rewrites them: a
            # crash in the instant after this commit loses nothing that the next check would not
            # write again, so the commit need not wait for its WAL to reach the disk. (Any later
            # synchronous commit, such as the emailed_at stamps, flushes this one first.)
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for i in range(0, len(new), BATCH_SIZE):
                # ON CONFLICT DO NOTHING: a concurrent run that inserted the same open alert wins.
                cursor.execute(_INSERT_SQL, [now, now, _batch_json(new[i : i + BATCH_SIZE])])
                result.opened += max(cursor.rowcount, 0)
            for i in range(0, len(changed), BATCH_SIZE):
                cursor.execute(_UPDATE_SQL, [now, _batch_json(changed[i : i + BATCH_SIZE])])
            if recovered:
                # An alert resolves by itself when the count recovers; the resolution time is kept.
                # One array parameter (pk__in would quote an IN list of 1,000 literals).
                cursor.execute(_RESOLVE_SQL, [now, now, recovered])
                result.resolved = cursor.rowcount
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


# ---------------------------------------------------------------------------------------- targets


def target_for_key(key: ScopeKey) -> PipelineTarget | None:
    kind, uid, tid = key
    if kind == Scope.USER:
        return PipelineTarget.objects.filter(user_id=uid).first()
    if kind == Scope.TEAM:
        return PipelineTarget.objects.filter(team_id=tid).first()
    return PipelineTarget.objects.filter(user__isnull=True, team__isnull=True).first()


TARGET_FIELDS = ("min_open", "min_short", "min_mid", "min_long", "sales_target")


def pipeline_target_save(*, key: ScopeKey, by: User, **values: Any) -> PipelineTarget | None:
    """Create, change or (all values empty) delete a scope's target, then re-check after the commit.
    The history is recorded by pghistory."""
    from targets.tasks import check_pipeline_targets

    _kind, uid, tid = key
    with transaction.atomic():
        target = target_for_key(key)
        if all(values.get(f) is None for f in TARGET_FIELDS):
            if target is not None:
                target.delete()
            target = None
        else:
            target = target or PipelineTarget(user_id=uid, team_id=tid)
            for name in TARGET_FIELDS:
                setattr(target, name, values.get(name))
            target.full_clean()
            target.save()
        enqueue_on_commit(check_pipeline_targets, owner_ids=None)
    return target


# ----------------------------------------------------------------------------------------- emails


@dataclass
class Recipients:
    """Who hears about which scope: the rep and the managers of their teams; a team's managers;
    the admins for the company."""

    members: dict[int, set[int]]
    managers: dict[int, set[int]]
    admins: set[int]

    @classmethod
    def load(cls) -> Recipients:
        members = team_memberships()
        managers: dict[int, set[int]] = defaultdict(set)
        for team_id, user_id in Team.managers.through.objects.values_list("team_id", "user_id"):
            managers[team_id].add(user_id)
        admins = set(
            User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True).values_list(
                "pk", flat=True
            )
        )
        return cls(members, managers, admins)

    def for_alert(self, alert: PipelineAlert) -> set[int]:
        if alert.scope == Scope.USER:
            ids = {alert.user_id}
            for team_id, member_ids in self.members.items():
                if alert.user_id in member_ids:
                    ids |= self.managers.get(team_id, set())
            return ids  # type: ignore[return-value]
        if alert.scope == Scope.TEAM:
            return set(self.managers.get(alert.team_id, set()))  # type: ignore[arg-type]
        return set(self.admins)


def _addresses(user_ids: set[int], users: dict[int, User]) -> list[str]:
    return sorted({users[i].email for i in user_ids if i in users and users[i].email and users[i].is_active})


def alert_emails_send(*, now: dt.datetime | None = None) -> int:
    """Email every newly opened alert to the rep and their manager(s), once per alert: each alert is
    claimed (row locked with SKIP LOCKED, emailed_at set) and sent in one transaction, so a retried or
    duplicated task never sends it twice and a worker killed mid-send leaves it for the redelivery.
    Only a kill between the mail server's acceptance and the COMMIT can send it twice. Returns the
    number of emails sent."""
    now = now or timezone.now()
    pending = list(
        PipelineAlert.objects.open()
        .filter(emailed_at__isnull=True)
        .select_related("user", "team")
        .order_by("pk")
    )
    if not pending:
        return 0
    recipients = Recipients.load()
    wanted = {a.pk: recipients.for_alert(a) for a in pending}
    users = User.objects.in_bulk(set().union(*wanted.values()))
    sent = 0
    for alert in pending:
        to = _addresses(wanted[alert.pk], users)
        if to:
            with translation.override(settings.LANGUAGE_CODE):
                context = {"alert": alert, "plan": alert.replenishment}
                subject = render_to_string("targets/email/alert_subject.txt", context).strip()
                body = render_to_string("targets/email/alert_body.txt", context)
        # The claim and the send share one transaction: a worker killed while sending (kill -9, OOM)
        # leaves the row unclaimed for the redelivered task (bin/faults lost an email when the claim
        # committed first); a concurrent worker skips the locked row; a failed send rolls back.
        with transaction.atomic():
            claimed = (
                PipelineAlert.objects.select_for_update(skip_locked=True)
                .filter(pk=alert.pk, emailed_at__isnull=True, resolved_at__isnull=True)
                .values_list("pk", flat=True)
                .first()
            )
            if claimed is None:
                continue  # another worker has it, or it resolved meanwhile
            PipelineAlert.objects.filter(pk=alert.pk).update(emailed_at=now)
            if not to:
                continue
            send_mail(subject, body, None, to)
        sent += 1
    return sent


def alert_digest_send(*, now: dt.datetime | None = None) -> int:
    """The daily digest: each person gets one email listing the open alerts they hear about, once per
    day (the AlertDigest row for (person, day) is the claim). Returns the number of emails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    alerts = list(PipelineAlert.objects.open().select_related("user", "team").order_by("scope", "rule", "pk"))
    if not alerts:
        return 0
    recipients = Recipients.load()
    per_user: dict[int, list[PipelineAlert]] = defaultdict(list)
    for alert in alerts:
        for uid in recipients.for_alert(alert):
            per_user[uid].append(alert)
    users = User.objects.in_bulk(per_user.keys())
    sent = 0
    for uid, user_alerts in sorted(per_user.items()):
        user = users.get(uid)
        if user is None or not user.email or not user.is_active:
            continue
        try:
            with transaction.atomic():
                _digest, created = AlertDigest.objects.get_or_create(user_id=uid, day=today)
        except IntegrityError:
            created = False
        if not created:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            context = {"alerts": user_alerts, "user": user, "today": today}
            subject = render_to_string("targets/email/digest_subject.txt", context).strip()
            body = render_to_string("targets/email/digest_body.txt", context)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            AlertDigest.objects.filter(user_id=uid, day=today).delete()
            raise
        sent += 1
    return sent
