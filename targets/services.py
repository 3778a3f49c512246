"""Pipeline targets: the check that compares every scope with its target, the alerts it opens and
resolves, the replenishment plan, the early warning, and the emails.

The check reads everything it needs in a constant number of queries (one grouped aggregate of open
prospects, one of team memberships, one of flows, one of source history, the targets and the open
alerts) and writes in batches, so its cost does not grow with the number of reps.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
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
    if target.user_id:
        return user_key(target.user_id)
    if target.team_id:
        return team_key(target.team_id)
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
class Flow:
    inflow: int = 0
    outflow: int = 0

    def add(self, other: Flow) -> None:
        self.inflow += other.inflow
        self.outflow += other.outflow


def flows_by_owner(now: dt.datetime) -> dict[int, Flow]:
    """ONE grouped query: new prospects (created_at) and won + lost (closed_on) in the last 90 days."""
    since = now - dt.timedelta(days=FLOW_DAYS)
    today = timezone.localdate(now)
    since_day = today - dt.timedelta(days=FLOW_DAYS)
    created = Q(created_at__gte=since, created_at__lt=now)
    closed = Q(status__in=[Status.WON, Status.LOST], closed_on__gt=since_day, closed_on__lte=today)
    rows = (
        Prospect.objects.filter(created | closed)
        .order_by()
        .values("owner_id")
        .annotate(inflow=Count("id", filter=created), outflow=Count("id", filter=closed))
    )
    return {r["owner_id"]: Flow(r["inflow"], r["outflow"]) for r in rows}


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


def source_history_by_owner(now: dt.datetime) -> dict[int, SourceTable]:
    """ONE grouped query over prospects created 30 to 180 days ago, per owner and source: how many,
    how many were still open or won 30 days after creation (not lost within 30 days), won, lost."""
    start = now - dt.timedelta(days=HISTORY_DAYS)
    cutoff = now - dt.timedelta(days=MATURITY_DAYS)
    lost_deadline = ExpressionWrapper(
        F("created_at__date") + dt.timedelta(days=MATURITY_DAYS), output_field=DateFieldType()
    )
    lost_early = Q(status=Status.LOST, closed_on__lte=lost_deadline)
    rows = (
        Prospect.objects.filter(created_at__gte=start, created_at__lte=cutoff)
        .order_by()
        .values("owner_id", "source")
        .annotate(
            created=Count("id"),
            kept=Count("id", filter=~lost_early),
            won=Count("id", filter=Q(status=Status.WON)),
            lost=Count("id", filter=Q(status=Status.LOST)),
        )
    )
    table: dict[int, SourceTable] = defaultdict(SourceTable)
    for r in rows:
        table[r["owner_id"]][r["source"]] = SourceStats(r["created"], r["kept"], r["won"], r["lost"])
    return table


# ------------------------------------------------------------------------------------ pure rules


def replenishment_plan(deficit: int, scope_table: SourceTable, company_table: SourceTable) -> dict:
    """How many new leads from which source would cover `deficit`: per source its yield (share still
    open or won after 30 days), its win rate (won / (won + lost)) and deficit / yield rounded up.
    With fewer than MIN_HISTORY prospects in the scope's history, the company's figures are used."""
    history = scope_table.created
    basis = "scope"
    table = scope_table
    if history < MIN_HISTORY:
        basis = "company"
        table = company_table
    labels = dict(Source.choices)
    sources = []
    for source, s in table.items():
        if not s.created:
            continue
        yield_rate = s.kept / s.created
        decided = s.won + s.lost
        sources.append(
            {
                "source": source,
                "label": str(labels.get(source, source)),
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


@dataclass
class CheckResult:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    findings: list[Finding] = field(default_factory=list)


def evaluate(
    targets: list[PipelineTarget],
    counts: dict[ScopeKey, Counts],
    flows: dict[ScopeKey, Flow],
    tables: dict[ScopeKey, SourceTable],
    company_table: SourceTable,
    today: dt.date,
) -> list[Finding]:
    findings: list[Finding] = []
    for target in targets:
        key = target_key(target)
        c = counts[key]
        minimums = {
            Rule.OPEN: target.min_open,
            Rule.SHORT: target.min_short,
            Rule.MID: target.min_mid,
            Rule.LONG: target.min_long,
        }
        for rule, minimum in minimums.items():
            if minimum is None:
                continue
            current = c.get(rule)
            if current < minimum:
                deficit = minimum - current
                findings.append(Finding(key, rule.value, current, minimum, deficit, None, {}))
        if target.min_open is not None and c.total >= target.min_open:
            flow = flows[key]
            p = project(
                current=c.total, inflow=flow.inflow, outflow=flow.outflow, target=target.min_open, today=today
            )
            if p.crosses_on is not None:
                deficit = max(1, math.ceil(target.min_open - p.projected - 1e-9))
                plan_extra = {
                    "projected": round(p.projected, 1),
                    "rate_per_day": round(p.rate_per_day, 4),
                    "inflow": flow.inflow,
                    "outflow": flow.outflow,
                }
                findings.append(
                    Finding(
                        key, Rule.AT_RISK.value, c.total, target.min_open, deficit, p.crosses_on, plan_extra
                    )
                )
    for f in findings:
        plan = replenishment_plan(f.deficit, tables[f.key], company_table)
        plan.update(f.plan)
        f.plan = plan
    return findings


def _alert_key(alert: PipelineAlert) -> tuple[ScopeKey, str]:
    return ((alert.scope, alert.user_id, alert.team_id), alert.rule)


def pipeline_check_run(
    *, owner_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> CheckResult:
    """Compare every scope with its target and open, refresh or resolve alerts.

    `owner_ids` names the owners whose prospects changed (for the log); the check is cheap and
    always covers every scope, so a team or the company is never left stale. Idempotent: running it
    twice, or on two workers at once, leaves one open alert per scope and rule (the partial unique
    constraint and INSERT ... ON CONFLICT DO NOTHING).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    targets = list(PipelineTarget.objects.all())
    keys = {target_key(t) for t in targets}
    memberships = team_memberships()
    counts = scope_counts(keys, open_counts_by_owner(), memberships)
    flows_owner = flows_by_owner(now)
    history_owner = source_history_by_owner(now)
    flows = {k: sum_for(flows_owner, scope_owner_ids(k, memberships), Flow) for k in keys}
    tables = {k: sum_for(history_owner, scope_owner_ids(k, memberships), SourceTable) for k in keys}
    company_table = sum_for(history_owner, None, SourceTable)
    findings = evaluate(targets, counts, flows, tables, company_table, today)

    existing = {_alert_key(a): a for a in PipelineAlert.objects.open().order_by("pk")}
    wanted = {(f.key, f.rule): f for f in findings}
    new: list[PipelineAlert] = []
    changed: list[PipelineAlert] = []
    for akey, f in wanted.items():
        alert = existing.get(akey)
        if alert is None:
            kind, uid, tid = f.key
            new.append(
                PipelineAlert(
                    scope=kind,
                    user_id=uid,
                    team_id=tid,
                    rule=f.rule,
                    current=f.current,
                    target=f.target,
                    deficit=f.deficit,
                    opened_at=now,
                    checked_at=now,
                    projected_date=f.projected_date,
                    plan=f.plan,
                )
            )
            continue
        values = {
            "current": f.current,
            "target": f.target,
            "deficit": f.deficit,
            "projected_date": f.projected_date,
            "plan": f.plan,
        }
        if any(getattr(alert, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(alert, k, v)
            alert.checked_at = now
            changed.append(alert)
    recovered = [a.pk for k, a in existing.items() if k not in wanted]

    result = CheckResult(findings=findings, updated=len(changed), resolved=len(recovered))
    with transaction.atomic():
        if new:
            # ON CONFLICT DO NOTHING: a concurrent run that inserted the same open alert wins.
            created = PipelineAlert.objects.bulk_create(new, batch_size=BATCH_SIZE, ignore_conflicts=True)
            result.opened = len(created)
        if changed:
            PipelineAlert.objects.bulk_update(
                changed,
                ["current", "target", "deficit", "projected_date", "plan", "checked_at"],
                batch_size=BATCH_SIZE,
            )
        if recovered:
            # An alert resolves by itself when the count recovers; the resolution time is kept.
            result.resolved = PipelineAlert.objects.filter(pk__in=recovered, resolved_at__isnull=True).update(
                resolved_at=now, checked_at=now
            )
    logger.info(
        "pipeline check (owners %s): %d findings, %d new, %d updated, %d resolved",
        sorted(owner_ids) if owner_ids else "all",
        len(findings),
        len(new),
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
