"""Yield of lead-generation activity: new prospects per unit of work, per kind, over the trailing
90 days, for a rep, a team and the company; and the replenishment plan counted in those units.

Units: 100 flyers, one door-to-door session, one exhibition booth contact, one referral asked for,
one inbound campaign (activities.models.UNIT_FIELD). Leads: prospects linked to the activities,
counted for the activity's owner, as LeadActivity.lead_count keeps them (prospects.models.LEAD_RULE:
a revival (掘り起こし) is never a lead).

The rule when a sample is small, stated once (MIN_UNITS, shown on the yields page): a rep's own
yield once they logged at least MIN_UNITS of the kind in the window, else their team's once the team
did, else the company's. A team's falls back to the company's the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, IntegerField, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import UNIT_FIELD, LeadActivity, LeadKind
from prospects.models import Prospect

WINDOW_DAYS = 90
# The smallest sample a yield is taken from (in the kind's units as logged, not per 100).
MIN_UNITS: dict[str, int] = {
    LeadKind.FLYER: 1000,
    LeadKind.DOOR_TO_DOOR: 5,
    LeadKind.EXHIBITION: 20,
    LeadKind.REFERRAL: 10,
    LeadKind.INBOUND: 2,
}
# The shown rate is per this many units (leads per 100 flyers, per 1 session ...).
PER: dict[str, int] = {LeadKind.FLYER: 100}
# Flyers are planned in whole hundreds (a bundle); other units one by one.
PLAN_STEP: dict[str, int] = {LeadKind.FLYER: 100}

OWN, TEAM, COMPANY = "own", "team", "company"


def _units_expression() -> Case:
    """A lead activity's units in SQL (LeadActivity.units)."""
    whens = [
        When(kind=kind, then=Coalesce(field, Value(0)) if field else Value(1))
        for kind, field in UNIT_FIELD.items()
    ]
    return Case(*whens, default=Value(0), output_field=IntegerField())


@dataclass
class Sample:
    units: int = 0
    leads: int = 0

    def add(self, other: Sample) -> None:
        self.units += other.units
        self.leads += other.leads


@dataclass
class KindYield:
    kind: str
    basis: str | None  # OWN / TEAM / COMPANY, or None: no sample anywhere
    sample: Sample  # the sample the rate is taken from
    own: Sample  # the scope's own sample (shown beside the rate)

    @property
    def rate(self) -> Decimal | None:
        """Leads per single unit, unrounded enough for the plan."""
        if not self.sample.units:
            return None
        return Decimal(self.sample.leads) / Decimal(self.sample.units)

    @property
    def per(self) -> int:
        return PER.get(self.kind, 1)

    @property
    def shown(self) -> Decimal | None:
        """Leads per shown unit (per 100 flyers ...), two decimals."""
        rate = self.rate
        if rate is None:
            return None
        return (rate * self.per).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def label(self) -> str:
        return str(LeadKind(self.kind).label)


@dataclass
class Samples:
    """Per owner and kind, the units logged and the leads won in the window (one query)."""

    by_owner: dict[int, dict[str, Sample]] = field(default_factory=dict)

    def total(self, owner_ids: Iterable[int] | None) -> dict[str, Sample]:
        keys = self.by_owner.keys() if owner_ids is None else owner_ids
        out: dict[str, Sample] = defaultdict(Sample)
        for owner_id in keys:
            for kind, sample in self.by_owner.get(owner_id, {}).items():
                out[kind].add(sample)
        return out


def window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=WINDOW_DAYS - 1), today


def samples_read(*, since: dt.date, until: dt.date, owner_ids: Iterable[int] | None = None) -> Samples:
    """The units and leads per owner and kind of the lead activities dated since..until (one query:
    the leads are each activity's kept lead count, not a count of its prospects)."""
    activities = LeadActivity.objects.filter(on__gte=since, on__lte=until).order_by()
    if owner_ids is not None:
        activities = activities.filter(owner_id__in=list(owner_ids))
    samples = Samples()
    for owner_id, kind, units, leads in (
        activities.values("owner_id", "kind")
        .annotate(u=Sum(_units_expression()), n=Sum("lead_count"))
        .values_list("owner_id", "kind", "u", "n")
    ):
        samples.by_owner.setdefault(owner_id, {})[kind] = Sample(units=units or 0, leads=leads or 0)
    return samples


def yields_pick(
    own: dict[str, Sample], fallbacks: list[tuple[str, dict[str, Sample]]], own_basis: str = OWN
) -> list[KindYield]:
    """Per kind, the first of (own, *fallbacks) with at least MIN_UNITS units; the last fallback
    (the company's) is taken whatever its size when none has enough, and no basis when it has none."""
    out = []
    for kind in LeadKind.values:
        mine = own.get(kind, Sample())
        chain = [(own_basis, mine), *((basis, figures.get(kind, Sample())) for basis, figures in fallbacks)]
        basis, sample = next(((b, s) for b, s in chain if s.units >= MIN_UNITS[kind]), (None, Sample()))
        if basis is None:
            last_basis, last = chain[-1]
            basis, sample = (last_basis, last) if last.units else (None, Sample())
        out.append(KindYield(kind=kind, basis=basis, sample=sample, own=mine))
    return out


def _teammate_ids(user, members: dict[int, set[int]] | None = None) -> set[int]:
    """The members of the teams `user` belongs to (a manager: the teams they lead). With `members`
    (team id -> member ids, read once for a page) a rep's teams need no query."""
    if members is not None:
        mine = [ids for ids in members.values() if user.pk in ids]
        if mine:
            return set().union(*mine)
    from accounts.access import team_member_ids, visible_teams

    found = team_member_ids(list(visible_teams(user).values_list("pk", flat=True)))
    return set().union(*found.values()) if found else set()


def yields_for_user(
    *,
    user,
    samples: Samples | None = None,
    members: dict[int, set[int]] | None = None,
    today: dt.date | None = None,
) -> list[KindYield]:
    """A rep's (or a manager's own) yields, leaning on their teams' and the company's."""
    if samples is None:
        since, until = window(today)
        samples = samples_read(since=since, until=until)
    team = samples.total(_teammate_ids(user, members) | {user.pk})
    return yields_pick(samples.total([user.pk]), [(TEAM, team), (COMPANY, samples.total(None))])


def yields_for_team(
    *,
    team_id: int,
    samples: Samples | None = None,
    members: dict[int, set[int]] | None = None,
    today: dt.date | None = None,
) -> list[KindYield]:
    """A team's yields (its members' together), leaning on the company's. `members`: team id ->
    member ids when the caller read them once for a page."""
    from accounts.access import team_member_ids

    if samples is None:
        since, until = window(today)
        samples = samples_read(since=since, until=until)
    if members is None:
        members = team_member_ids([team_id])
    return yields_pick(
        samples.total(members.get(team_id, set())), [(COMPANY, samples.total(None))], own_basis=TEAM
    )


def yields_for_company(*, samples: Samples | None = None, today: dt.date | None = None) -> list[KindYield]:
    if samples is None:
        since, until = window(today)
        samples = samples_read(since=since, until=until)
    return yields_pick(samples.total(None), [], own_basis=COMPANY)


# ---------------------------------------------------------------------------------------- the plan


@dataclass
class PlanLine:
    kind: str
    units: int  # the units of work that would cover the deficit at the yield
    yield_: KindYield
    done: int = 0  # units logged this month
    gained: int = 0  # prospects from this month's activities

    @property
    def label(self) -> str:
        return self.yield_.label

    @property
    def done_pct(self) -> int:
        return min(100, round(self.done * 100 / self.units)) if self.units else 100


def units_needed(*, deficit: int, y: KindYield) -> int | None:
    """The units of work that would cover `deficit` prospects at yield `y` (flyers in hundreds)."""
    rate = y.rate
    if deficit <= 0 or not rate:
        return None
    step = PLAN_STEP.get(y.kind, 1)
    units = math.ceil(Decimal(deficit) / rate - Decimal("1e-9"))
    return math.ceil(units / step) * step


def plan_lines(*, deficit: int, yields: list[KindYield]) -> list[PlanLine]:
    """Each kind with a yield: how much of it alone would cover the deficit. No pick of a "best"
    kind: the rep chooses, knowing their figures."""
    lines = []
    for y in yields:
        units = units_needed(deficit=deficit, y=y)
        if units is not None:
            lines.append(PlanLine(kind=y.kind, units=units, yield_=y))
    return lines


def progress_fill(*, lines: list[PlanLine], month: dict[str, Sample]) -> Sample:
    """Fill each line's work done and prospects gained from the scope's month sample; return the
    month's total over every kind."""
    for line in lines:
        sample = month.get(line.kind, Sample())
        line.done, line.gained = sample.units, sample.leads
    total = Sample()
    for sample in month.values():
        total.add(sample)
    return total


@dataclass
class AlertPlan:
    deficit: int
    rule: str
    lines: list[PlanLine]
    month: Sample  # this month's lead activity in the scope: units (all kinds) and prospects gained


# What PlanInputs.read costs: one read of the 90 days, one of the month, one of the teams.
PLAN_INPUT_QUERIES = 3


@dataclass
class PlanInputs:
    """What every alert plan of one page reads, read once (three queries, whatever the alerts)."""

    samples: Samples
    month: Samples
    members: dict[int, set[int]]

    @classmethod
    def read(cls, today: dt.date | None = None) -> PlanInputs:
        from accounts.access import team_member_ids

        today = today or timezone.localdate()
        since, until = window(today)
        return cls(
            samples=samples_read(since=since, until=until),
            month=samples_read(since=today.replace(day=1), until=today),
            members=team_member_ids(),
        )


def alert_plan(*, alert, inputs: PlanInputs | None = None, today: dt.date | None = None) -> AlertPlan:
    """An open pipeline alert's replenishment plan in the scope's own units of work: for each kind
    with a yield, how much of it alone would cover the deficit, and this month's progress."""
    from targets.models import Scope

    inputs = inputs or PlanInputs.read(today)
    samples = inputs.samples
    if alert.scope == Scope.USER:
        ys = yields_for_user(user=alert.user, samples=samples, members=inputs.members)
        owners = [alert.user_id]
    elif alert.scope == Scope.TEAM:
        ys = yields_for_team(team_id=alert.team_id, samples=samples, members=inputs.members)
        owners = sorted(inputs.members.get(alert.team_id, set()))
    else:
        ys, owners = yields_for_company(samples=samples), None
    lines = plan_lines(deficit=alert.deficit, yields=ys)
    month = progress_fill(lines=lines, month=inputs.month.total(owners))
    return AlertPlan(deficit=alert.deficit, rule=alert.rule, lines=lines, month=month)


# ------------------------------------------------------------------------- what refilled an alert


def alert_refills(*, alert_ids: list[int]) -> dict[int, dict]:
    """For alerts that just resolved: the prospects their scope gained since the alert opened, by
    source and by lead activity (what refilled the pipeline), and the lead activities it logged since
    by kind ("done"), to keep in the alert's plan. Four queries whatever the number of alerts: the
    alerts, the team members, the gained prospects, the lead activities logged."""
    from accounts.access import team_member_ids
    from targets.models import PipelineAlert, Scope

    alerts = list(
        PipelineAlert.objects.filter(pk__in=alert_ids).values_list(
            "pk", "scope", "user_id", "team_id", "opened_at"
        )
    )
    if not alerts:
        return {}
    teams = sorted({tid for _pk, scope, _uid, tid, _at in alerts if scope == Scope.TEAM})
    members = team_member_ids(teams) if teams else {}
    scopes: dict[int, set[int] | None] = {}
    for pk, scope, uid, tid, _at in alerts:
        scopes[pk] = (
            {uid} if scope == Scope.USER else members.get(tid, set()) if scope == Scope.TEAM else None
        )
    owners = None if any(o is None for o in scopes.values()) else set().union(*scopes.values())
    since = min(at for *_rest, at in alerts)
    rows = Prospect.objects.filter(created_at__gte=since).order_by()
    if owners is not None:
        rows = rows.filter(owner_id__in=owners)
    gained = list(
        rows.values_list("owner_id", "source", "lead_activity_id", "lead_activity__kind", "created_at")
    )
    # The lead activities the scope logged since the alert opened (what was done, whatever it yielded).
    logged = LeadActivity.objects.filter(on__gte=timezone.localdate(since)).order_by()
    if owners is not None:
        logged = logged.filter(owner_id__in=owners)
    done_rows = list(logged.values_list("owner_id", "kind", "on"))
    out: dict[int, dict] = {}
    for pk, _scope, _uid, _tid, opened_at in alerts:
        mine = scopes[pk]
        sources: dict[str, int] = defaultdict(int)
        activities: dict[int, list] = {}
        total = 0
        for owner_id, source, activity_id, kind, created_at in gained:
            if created_at < opened_at or (mine is not None and owner_id not in mine):
                continue
            total += 1
            sources[source] += 1
            if activity_id is not None:
                activities.setdefault(activity_id, [activity_id, kind, 0])[2] += 1
        done: dict[str, int] = defaultdict(int)
        opened_on = timezone.localdate(opened_at)
        for owner_id, kind, on in done_rows:
            if on >= opened_on and (mine is None or owner_id in mine):
                done[kind] += 1
        out[pk] = {
            "prospects": total,
            "sources": dict(sources),
            "lead_activities": sorted(activities.values(), key=lambda a: (-a[2], a[0]))[:10],
            "done": dict(done),
        }
    return out
