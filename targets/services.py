"""Pipeline targets: the check that compares every scope with its target, the alerts it opens and
resolves, the replenishment plan, the early warning, and the emails.

The check reads everything it needs in a constant number of queries (one grouped aggregate of open
prospects, one of team memberships, one of flows, one of source history, the targets and the open
alerts) and writes in batches, so its cost does not grow with the number of reps.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, ExpressionWrapper, F, Q
from django.db.models import DateField as DateFieldType
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Role, Team, User
from prospects.models import Horizon, Prospect, Source, Status
from salescrm.lib.jobs import enqueue_on_commit
from targets.models import AlertDigest, PipelineAlert, PipelineTarget, Rule, Scope

logger = logging.getLogger(__name__)

HORIZONS = [h for h, _label in Horizon.choices]
HISTORY_DAYS = 180  # the replenishment plan looks at prospects created in the last 180 days ...
MATURITY_DAYS = 30  # ... that are at least 30 days old: did they survive their first 30 days?
MIN_HISTORY = 10  # fewer prospects than this in a scope's history: use the company's figures
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
    """ONE grouped query (the (owner, status, horizon) index): open prospects per owner and horizon."""
    by_owner: dict[int, Counts] = defaultdict(Counts)
    rows = (
        Prospect.objects.filter(status=Status.OPEN)
        .order_by()
        .values("owner_id", "horizon")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts = by_owner[row["owner_id"]]
        counts.total += row["n"]
        if row["horizon"] in HORIZONS:
            setattr(counts, row["horizon"], getattr(counts, row["horizon"]) + row["n"])
    return by_owner


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


@dataclass
class SourceStats:
    created: int = 0
    kept: int = 0
    won: int = 0
    lost: int = 0

    def add(self, other: SourceStats) -> None:
        self.created += other.created
        self.kept += other.kept
        self.won += other.won
        self.lost += other.lost


class SourceTable(dict):
    """source -> SourceStats, summable across owners."""

    def add(self, other: SourceTable) -> None:
        for source, stats in other.items():
            self.setdefault(source, SourceStats()).add(stats)

    @property
    def created(self) -> int:
        return sum(s.created for s in self.values())


# The check keeps each owner's and scope's figures as flat lists of ints, summed column-wise: a
# dataclass or dict per source and owner, summed over 11,000 scopes, was most of a run at 10,000 reps.
SOURCES = [s for s, _label in Source.choices]
_SOURCE_AT = {s: i for i, s in enumerate(SOURCES)}
STATS = 4  # per source: created, kept (not lost within 30 days), won, lost
# An owner's open counts: total, short, mid, long.
_HORIZON_AT = {h: i + 1 for i, h in enumerate(HORIZONS)}


def _vector_sum(vectors: Iterable[list[int]], width: int) -> list[int]:
    columns = list(zip(*vectors, strict=True))
    return [sum(c) for c in columns] if columns else [0] * width


def _rows(queryset: Any) -> list[tuple]:
    """All rows of a values_list() queryset, fetched at once with the raw cursor: Django's iterator
    fetches 100 rows at a time and runs a converter per value, a third of the read time for the
    60,000 rows of the history aggregate."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _open_counts() -> dict[int, list[int]]:
    """ONE grouped query: open prospects per owner and horizon. COUNT(*), not COUNT(id): the (owner,
    status, horizon) index then answers it alone (an index-only scan)."""
    rows = _rows(
        Prospect.objects.filter(status=Status.OPEN)
        .order_by("owner_id", "horizon")  # the index's order: no sort
        .values_list("owner_id", "horizon")
        .annotate(n=Count("*"))
    )
    per_owner: dict[int, list[int]] = {}
    horizon_at = _HORIZON_AT
    for owner_id, group in groupby(rows, itemgetter(0)):
        counts = per_owner[owner_id] = [0, 0, 0, 0]
        for _owner, horizon, n in group:
            counts[0] += n
            at = horizon_at.get(horizon)
            if at is not None:
                counts[at] += n
    return per_owner


def _history_and_inflow(now: dt.datetime) -> tuple[dict[int, list[int]], dict[int, int]]:
    """ONE grouped query over the prospects created in the last 180 days (index-only, in the order of
    the (owner, source, created_at) index), per owner and source: the replenishment history (created 30 to 180 days ago: how
    many, how many still open or won 30 days after creation, won, lost) and the inflow of the early
    warning (created in the last 90 days). Two queries read the same rows twice."""
    start = now - dt.timedelta(days=HISTORY_DAYS)
    cutoff = now - dt.timedelta(days=MATURITY_DAYS)
    since = now - dt.timedelta(days=FLOW_DAYS)
    lost_deadline = ExpressionWrapper(
        F("created_at__date") + dt.timedelta(days=MATURITY_DAYS), output_field=DateFieldType()
    )
    matured = Q(created_at__lte=cutoff)
    lost = Q(status=Status.LOST)
    rows = _rows(
        Prospect.objects.filter(created_at__gte=start, created_at__lt=now)
        .order_by("owner_id", "source")  # the index's order: no sort
        .values_list("owner_id", "source")
        .annotate(
            # COUNT of a column of the index, not of id (Django refuses COUNT(*) with a filter).
            created=Count("created_at", filter=matured),
            kept=Count("created_at", filter=matured & ~(lost & Q(closed_on__lte=lost_deadline))),
            won=Count("created_at", filter=matured & Q(status=Status.WON)),
            lost=Count("created_at", filter=matured & lost),
            inflow=Count("created_at", filter=Q(created_at__gte=since)),
        )
    )
    history: dict[int, list[int]] = {}
    inflow: dict[int, int] = {}
    width = len(SOURCES) * STATS
    source_at = {source: i * STATS for source, i in _SOURCE_AT.items()}
    for owner_id, group in groupby(rows, itemgetter(0)):
        vector = [0] * width
        new_total = 0
        for _owner, source, created, kept, won, lost_n, new in group:
            new_total += new
            at = source_at.get(source)
            if created and at is not None:
                vector[at : at + STATS] = (created, kept, won, lost_n)
        history[owner_id] = vector
        inflow[owner_id] = new_total
    return history, inflow


def _outflow(now: dt.datetime) -> dict[int, int]:
    """ONE grouped query (the (status, closed_on) index): won + lost per owner in the last 90 days."""
    today = timezone.localdate(now)
    rows = _rows(
        Prospect.objects.filter(
            status__in=[Status.WON, Status.LOST],
            closed_on__gt=today - dt.timedelta(days=FLOW_DAYS),
            closed_on__lte=today,
        )
        .order_by()
        .values_list("owner_id")
        .annotate(n=Count("*"))
    )
    return dict(rows)


def _table_from_vector(vector: list[int]) -> SourceTable:
    table = SourceTable()
    for i, source in enumerate(SOURCES):
        created, kept, won, lost = vector[i * STATS : i * STATS + STATS]
        if created:
            table[source] = SourceStats(created, kept, won, lost)
    return table


# ------------------------------------------------------------------------------------ pure rules


def source_labels() -> dict[str, str]:
    return {source: str(label) for source, label in Source.choices}


def replenishment_plan(
    deficit: int, scope_table: SourceTable, company_table: SourceTable, labels: dict[str, str] | None = None
) -> dict:
    """How many new leads from which source would cover `deficit`: per source its yield (share still
    open or won after 30 days), its win rate (won / (won + lost)) and deficit / yield rounded up.
    With fewer than MIN_HISTORY prospects in the scope's history, the company's figures are used.
    `labels` (source -> label) saves the translation lookups when many plans are built."""
    history = scope_table.created
    basis = "scope"
    table = scope_table
    if history < MIN_HISTORY:
        basis = "company"
        table = company_table
    labels = labels if labels is not None else source_labels()
    sources = []
    for source, s in table.items():
        if not s.created:
            continue
        yield_rate = s.kept / s.created
        decided = s.won + s.lost
        sources.append(
            {
                "source": source,
                "label": labels.get(source, source),
                "created": s.created,
                "kept": s.kept,
                "yield": round(yield_rate, 4),
                "won": s.won,
                "lost": s.lost,
                "win_rate": round(s.won / decided, 4) if decided else None,
                "leads": math.ceil(deficit / yield_rate - 1e-9) if yield_rate > 0 and deficit > 0 else None,
            }
        )
    sources.sort(key=lambda s: (-s["yield"], -(s["win_rate"] or 0), s["source"]))
    best = next((s for s in sources if s["leads"] is not None), None)
    return {
        "deficit": deficit,
        "basis": basis,
        "history": history,
        "min_history": MIN_HISTORY,
        "insufficient_history": history < MIN_HISTORY,
        "sources": sources,
        "best": {"source": best["source"], "label": best["label"], "leads": best["leads"]} if best else None,
    }


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


@dataclass
class CheckResult:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    findings: list[Finding] = field(default_factory=list)


# Part of every plan's fingerprint: bump it when replenishment_plan() changes what it writes, so
# that the next check rebuilds every open alert's plan.
PLAN_VERSION = 1


def plan_inputs(
    deficit: int, history: int, basis: list[int], extra: tuple[float, float, int, int] | None
) -> int:
    """The fingerprint of a plan's inputs, stored with the alert: a plan is rebuilt (and its JSON
    rewritten) only when this changes. `basis` is the vector the plan reads (the scope's or, with too
    little history, the company's). hash() of ints, floats and None is the same in every process
    (only str/bytes hashing is randomised); a different Python at worst rebuilds every plan once."""
    return hash((PLAN_VERSION, MIN_HISTORY, deficit, history, tuple(basis), extra))


def evaluate(
    targets: list[tuple],
    counts: dict[ScopeKey, list[int]],
    inflow: dict[ScopeKey, int],
    outflow: dict[ScopeKey, int],
    history: dict[ScopeKey, list[int]],
    company_history: list[int],
    today: dt.date,
) -> list[Finding]:
    """Every target against its scope's figures. A finding's plan holds only the at-risk extras here;
    its `inputs` (see plan_inputs) say which full plan it needs, built later for those that changed.
    `targets` rows are (key, min_open, min_short, min_mid, min_long)."""
    findings: list[Finding] = []
    for key, min_open, min_short, min_mid, min_long in targets:
        total, short, mid, long_ = counts[key]
        vector = history[key]
        scope_history = sum(vector[0::STATS])
        basis = vector if scope_history >= MIN_HISTORY else company_history
        for rule, minimum, current in (
            (Rule.OPEN, min_open, total),
            (Rule.SHORT, min_short, short),
            (Rule.MID, min_mid, mid),
            (Rule.LONG, min_long, long_),
        ):
            if minimum is not None and current < minimum:
                deficit = minimum - current
                f = Finding(key, rule.value, current, minimum, deficit, None, {})
                f.inputs = plan_inputs(deficit, scope_history, basis, None)
                findings.append(f)
        if min_open is not None and total >= min_open:
            new, out = inflow.get(key, 0), outflow.get(key, 0)
            p = project(current=total, inflow=new, outflow=out, target=min_open, today=today)
            if p.crosses_on is not None:
                deficit = max(1, math.ceil(min_open - p.projected - 1e-9))
                extra = {
                    "projected": round(p.projected, 1),
                    "rate_per_day": round(p.rate_per_day, 4),
                    "inflow": new,
                    "outflow": out,
                }
                f = Finding(key, Rule.AT_RISK.value, total, min_open, deficit, p.crosses_on, extra)
                f.inputs = plan_inputs(deficit, scope_history, basis, tuple(extra.values()))
                findings.append(f)
    return findings


def build_plan(f: Finding, history: list[int], company: SourceTable, labels: dict[str, str]) -> dict:
    """The full replenishment plan of a finding (its at-risk extras kept)."""
    plan = replenishment_plan(f.deficit, _table_from_vector(history), company, labels)
    plan.update(f.plan)
    return plan


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


def _batch_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, default=str)  # default: dates as ISO text


def pipeline_check_run(
    *, owner_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> CheckResult:
    """Compare every scope with its target and open, refresh or resolve alerts.

    `owner_ids` names the owners whose prospects changed (for the log); the check is cheap and
    always covers every scope, so a team or the company is never left stale. Idempotent: running it
    twice, or on two workers at once, leaves one open alert per scope and rule (the partial unique
    constraint and INSERT ... ON CONFLICT DO NOTHING).

    Reads: the targets, the memberships, three grouped aggregates of prospects (open counts; history
    and inflow; outflow) and the open alerts without their plans. A plan is built only for an alert
    that is new or whose plan inputs changed (compared by fingerprint, not by the JSON); other
    findings keep an empty `plan` in the result. Writes are batched statements of BATCH_SIZE rows.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    targets = [
        (target_key_of(uid, tid), *minimums)
        for uid, tid, *minimums in _rows(
            PipelineTarget.objects.values_list(
                "user_id", "team_id", "min_open", "min_short", "min_mid", "min_long"
            )
        )
    ]
    memberships = team_memberships()
    open_owner = _open_counts()
    history_owner, inflow_owner = _history_and_inflow(now)
    outflow_owner = _outflow(now)

    width = len(SOURCES) * STATS
    no_history = [0] * width
    no_counts = [0, 0, 0, 0]
    counts: dict[ScopeKey, list[int]] = {}
    inflow: dict[ScopeKey, int] = {}
    outflow: dict[ScopeKey, int] = {}
    history: dict[ScopeKey, list[int]] = {}
    company_history = _vector_sum(history_owner.values(), width)
    for key, *_minimums in targets:
        kind, uid, tid = key
        if kind == Scope.USER:
            counts[key] = open_owner.get(uid, no_counts)  # type: ignore[arg-type]
            history[key] = history_owner.get(uid, no_history)  # type: ignore[arg-type]
            inflow[key] = inflow_owner.get(uid, 0)  # type: ignore[arg-type]
            outflow[key] = outflow_owner.get(uid, 0)  # type: ignore[arg-type]
            continue
        if kind == Scope.TEAM:
            owners = memberships.get(tid, set())  # type: ignore[arg-type]
            counts[key] = _vector_sum((open_owner[o] for o in owners if o in open_owner), 4)
            history[key] = _vector_sum((history_owner[o] for o in owners if o in history_owner), width)
            inflow[key] = sum(inflow_owner.get(o, 0) for o in owners)
            outflow[key] = sum(outflow_owner.get(o, 0) for o in owners)
        else:
            counts[key] = _vector_sum(open_owner.values(), 4)
            history[key] = company_history
            inflow[key] = sum(inflow_owner.values())
            outflow[key] = sum(outflow_owner.values())
    findings = evaluate(targets, counts, inflow, outflow, history, company_history, today)

    existing = {
        ((scope, uid, tid), rule): (pk, (current, target, deficit, projected), inputs)
        for pk, scope, uid, tid, rule, current, target, deficit, projected, inputs in _rows(
            PipelineAlert.objects.open()
            .order_by("pk")
            .values_list(
                "pk",
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
    labels = source_labels()
    company_table = _table_from_vector(company_history)
    wanted: set[tuple[ScopeKey, str]] = set()
    new: list[dict] = []
    changed: list[dict] = []
    for f in findings:
        akey = (f.key, f.rule)
        wanted.add(akey)
        alert = existing.get(akey)
        if alert is None:
            f.plan = build_plan(f, history[f.key], company_table, labels)
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
            plan = None
            if plan_changed:
                plan = f.plan = build_plan(f, history[f.key], company_table, labels)
            changed.append(
                {
                    "id": pk,
                    "current": f.current,
                    "target": f.target,
                    "deficit": f.deficit,
                    "projected_date": f.projected_date,
                    "plan": plan,
                    "plan_inputs": f.inputs,
                }
            )
        else:
            f.plan = {}
    recovered = [pk for akey, (pk, _values, _inputs) in existing.items() if akey not in wanted]

    result = CheckResult(findings=findings, updated=len(changed), resolved=len(recovered))
    with transaction.atomic(), connection.cursor() as cursor:
        for i in range(0, len(new), BATCH_SIZE):
            # ON CONFLICT DO NOTHING: a concurrent run that inserted the same open alert wins.
            cursor.execute(_INSERT_SQL, [now, now, _batch_json(new[i : i + BATCH_SIZE])])
            result.opened += max(cursor.rowcount, 0)
        for i in range(0, len(changed), BATCH_SIZE):
            cursor.execute(_UPDATE_SQL, [now, _batch_json(changed[i : i + BATCH_SIZE])])
        if recovered:
            # An alert resolves by itself when the count recovers; the resolution time is kept.
            result.resolved = PipelineAlert.objects.filter(pk__in=recovered, resolved_at__isnull=True).update(
                resolved_at=now, checked_at=now
            )
    logger.info(
        "pipeline check (owners %s): %d findings, %d new, %d updated, %d resolved",
        sorted(owner_ids) if owner_ids else "all",
        len(findings),
        result.opened,
        result.updated,
        result.resolved,
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
                context = {"alert": alert, "plan": alert.plan}
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
