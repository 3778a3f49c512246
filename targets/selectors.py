"""Permission-aware reads for the targets pages: which scopes a user may see, their targets and
counts, the alerts, and the monthly cycle-health ledger. Every read is a constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.access import team_member_ids, visible_teams, visible_users
from accounts.models import Role, User
from prospects.counts import counts_by_owner
from prospects.models import Horizon, Prospect, Source, Status
from salescrm.lib.months import add_months, month_start, this_month
from targets.models import PipelineAlert, PipelineAlertQuerySet, PipelineTarget, PipelineTargetEvent, Scope
from targets.scopes import (
    COMPANY,
    Counts,
    ScopeKey,
    open_counts_by_owner,
    parse_scope_key,
    scope_counts,
    scope_key_text,
    scope_owner_ids,
    target_for_key,
    target_key,
    team_key,
    user_key,
)


@dataclass
class ScopeRow:
    key: ScopeKey
    label: str
    target: PipelineTarget | None
    counts: Counts

    @property
    def key_text(self) -> str:
        return scope_key_text(self.key)

    @property
    def kind(self) -> str:
        return self.key[0]

    def below(self, rule: str) -> bool:
        if self.target is None:
            return False
        minimum = getattr(self.target, f"min_{rule}" if rule != "total" else "min_open")
        value = self.counts.total if rule == "total" else getattr(self.counts, rule)
        return minimum is not None and value < minimum

    @property
    def cells(self) -> list[dict]:
        """Current count against the minimum: overall, then short / mid / long."""
        target = self.target
        out = []
        for rule, label in (("total", _("Open")), *Horizon.choices):
            minimum = getattr(target, "min_open" if rule == "total" else f"min_{rule}") if target else None
            value = self.counts.total if rule == "total" else getattr(self.counts, rule)
            out.append(
                {"rule": rule, "label": label, "value": value, "minimum": minimum, "below": self.below(rule)}
            )
        return out


def _scope_labels(user: User) -> list[tuple[ScopeKey, str]]:
    """The scopes `user` may see, company first, then teams, then reps (2 queries)."""
    scopes: list[tuple[ScopeKey, str]] = []
    if user.is_admin_role:
        scopes.append((COMPANY, _("Whole company")))
    if user.is_admin_role or user.is_manager:
        # A rep sees their own target only; a manager the teams they lead and their reps.
        scopes += [(team_key(t.pk), t.name) for t in visible_teams(user).order_by("name")]
    people = visible_users(user)
    if user.is_admin_role or user.is_manager:
        # Every active rep, and anyone else (a manager, themselves included, or an inactive rep) only
        # when they own open prospects or have a target: no rep row of zeros, and the rows of a team's
        # members add up to the team's row (#17).
        people = people.filter(
            Q(role=Role.REP, is_active=True)
            | Q(pipeline_target__isnull=False)
            | Q(prospects__status=Status.OPEN)
        ).distinct()
    scopes += [(user_key(u.pk), _person_label(u)) for u in people]
    return scopes


def scope_rows(user: User) -> list[ScopeRow]:
    """Every scope `user` may see with its target and current counts (5 queries)."""
    labels = _scope_labels(user)
    targets = {target_key(t): t for t in PipelineTarget.objects.visible_to(user)}
    counts = scope_counts([k for k, _label in labels], open_counts_by_owner(), team_member_ids())
    return [ScopeRow(key, label, targets.get(key), counts[key]) for key, label in labels]


def access_scope(user: User, text: str) -> tuple[ScopeKey, str]:
    """The scope named by `text` ('company', 'team-3', 'user-5') if `user` may see it; else 404."""
    key = parse_scope_key(text or "")
    if key is None:
        raise Http404
    kind, uid, tid = key
    if kind == Scope.COMPANY:
        if not user.is_admin_role:
            raise Http404
        return key, _("Whole company")
    if kind == Scope.TEAM:
        team = visible_teams(user).filter(pk=tid).first() if (user.is_admin_role or user.is_manager) else None
        if team is None:
            raise Http404
        return key, team.name
    person = visible_users(user).filter(pk=uid).first()
    if person is None:
        raise Http404
    return key, _person_label(person)


def _person_label(person: User) -> str:
    """A rep's name as a scope, marked when their account is inactive (their prospects still count)."""
    if person.is_active:
        return person.display_name
    return f"{person.display_name} ({pgettext('user account', 'inactive')})"


def scope_row(user: User, text: str) -> ScopeRow:
    key, label = access_scope(user, text)
    memberships = team_member_ids()
    owners = scope_owner_ids(key, memberships)
    counts = Counts()
    for total, short, mid, long in counts_by_owner(owners).values():
        counts.add(Counts(total=total, short=short, mid=mid, long=long))
    return ScopeRow(key, label, target_for_key(key), counts)


def default_scope(user: User) -> str:
    if user.is_admin_role:
        return "company"
    if user.is_manager:
        team = visible_teams(user).order_by("name").first()
        if team is not None:
            return f"team-{team.pk}"
    return f"user-{user.pk}"


def recent_target_changes(limit: int = 20) -> list[dict]:
    """The latest changes to targets from pghistory, with who made them (2 queries)."""
    events = list(
        PipelineTargetEvent.objects.order_by("-pgh_id").select_related("pgh_context", "user", "team")[:limit]
    )
    ids = {e.pgh_context.metadata.get("user") for e in events if e.pgh_context_id} - {None}
    people = User.objects.in_bulk(ids)
    labels = {"insert": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
    rows = []
    for e in events:
        who = people.get(e.pgh_context.metadata.get("user")) if e.pgh_context_id else None
        scope = e.user.display_name if e.user_id and e.user else e.team.name if e.team_id and e.team else None
        rows.append(
            {
                "at": e.pgh_created_at,
                "label": labels.get(e.pgh_label, e.pgh_label),
                "scope": scope or _("Whole company"),
                "by": who.display_name if who else "—",
                "event": e,
            }
        )
    return rows


def visible_open_alerts(user: User) -> PipelineAlertQuerySet:
    """The open alerts `user` hears about, newest first: the bell counts them, its menu, the alerts
    page and the home page list them."""
    return PipelineAlert.objects.open().visible_to(user)


def open_alert_count(user: User) -> int:
    """The bell's number: ONE indexed COUNT of visible_open_alerts(user)."""
    return visible_open_alerts(user).count()


def newest_open_alerts(user: User, limit: int) -> list[PipelineAlert]:
    """The home page's newest open alerts of `user`, with the rep or team each is about (one query)."""
    return list(visible_open_alerts(user).select_related("user", "team")[:limit])


RESOLVED_DAYS = 30  # the alerts page lists the alerts resolved in the last 30 days
RESOLVED_SHOWN = 20


@dataclass
class Refill:
    """What refilled a resolved alert's pipeline, as its plan recorded it at the resolution
    (activities.yields.alert_refills), ready to show."""

    prospects: int
    sources: list[tuple[str, int]]  # (source code, prospects gained), most first
    done: list[tuple[str, int]]  # (lead activity kind, activities logged since it opened), most first
    lead_activities: list[tuple[Any, str, int]]  # (LeadActivity or None if not visible, kind, prospects)


def _refill(recorded: dict, activities: dict[int, Any]) -> Refill:
    def most_first(counts: dict) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    return Refill(
        prospects=recorded.get("prospects", 0),
        sources=most_first(recorded.get("sources", {})),
        done=most_first(recorded.get("done", {})),
        lead_activities=[
            (activities.get(pk), kind, n) for pk, kind, n in recorded.get("lead_activities", [])
        ],
    )


def recently_resolved_alerts(user: User, *, now: dt.datetime | None = None) -> list[PipelineAlert]:
    """The alerts `user` hears about that resolved in the last RESOLVED_DAYS days, newest first, each
    with `refill` (what refilled it; None when it resolved before plans recorded that). Two queries:
    the alerts, and the lead activities they name that the user may see."""
    from activities.models import LeadActivity

    since = (now or timezone.now()) - dt.timedelta(days=RESOLVED_DAYS)
    alerts = list(
        PipelineAlert.objects.filter(resolved_at__gte=since)
        .visible_to(user)
        .select_related("user", "team")
        .order_by("-resolved_at", "-id")[:RESOLVED_SHOWN]
    )
    ids = {row[0] for a in alerts for row in (a.plan or {}).get("refilled", {}).get("lead_activities", [])}
    activities = LeadActivity.objects.visible_to(user).in_bulk(ids) if ids else {}
    for alert in alerts:
        recorded = (alert.plan or {}).get("refilled")
        alert.refill = _refill(recorded, activities) if recorded is not None else None
    return alerts


# ------------------------------------------------------------------------------- cycle health ledger


@dataclass
class LedgerMonth:
    month: dt.date
    opening: int = 0
    new: int = 0
    new_by_source: dict[str, int] = field(default_factory=dict)
    # The same new prospects by the kind of lead activity they came from ("" for none).
    new_by_lead_kind: dict[str, int] = field(default_factory=dict)
    won: int = 0
    lost: int = 0
    closing: int = 0
    opening_amount: Decimal = Decimal(0)
    new_amount: Decimal = Decimal(0)
    won_amount: Decimal = Decimal(0)
    lost_amount: Decimal = Decimal(0)
    closing_amount: Decimal = Decimal(0)
    sales_won: Decimal = Decimal(0)  # the won amounts actually booked (won_amount)
    moves: dict[str, int] = field(default_factory=dict)  # horizon moves: into short / mid / long

    @property
    def sources(self) -> list[tuple[str, int]]:
        labels = dict(Source.choices)
        return [
            (str(labels.get(s, s)), n) for s, n in sorted(self.new_by_source.items(), key=lambda x: -x[1])
        ]

    @property
    def lead_kinds(self) -> list[tuple[str, int]]:
        from activities.models import LeadKind

        labels = dict(LeadKind.choices)
        return [
            (str(labels[k]), self.new_by_lead_kind[k])
            for k in LeadKind.values
            if self.new_by_lead_kind.get(k)
        ]

    @property
    def move_list(self) -> list[tuple[str, int]]:
        labels = dict(Horizon.choices)
        return [(str(labels[h]), self.moves[h]) for h, _label in Horizon.choices if self.moves.get(h)]


@dataclass
class Ledger:
    months: list[LedgerMonth]
    target: PipelineTarget | None
    chart: dict


MONTHS = 6
CHART_W, CHART_H, PAD_L, PAD_B, PAD_T = 320, 160, 30, 22, 16


def _chart(months: list[LedgerMonth], target_count: int | None) -> dict:
    """Bar heights for the closing counts and the y of the target line, in SVG units (no styles)."""
    top = max([m.closing for m in months] + [m.opening for m in months] + [target_count or 0, 1])
    plot_h = CHART_H - PAD_B - PAD_T
    slot = (CHART_W - PAD_L) / max(len(months), 1)

    def y(value: float) -> float:
        return round(PAD_T + plot_h - plot_h * value / top, 1)

    bars = []
    for i, m in enumerate(months):
        x = round(PAD_L + i * slot + slot * 0.15, 1)
        bars.append(
            {
                "x": x,
                "y": y(m.closing),
                "w": round(slot * 0.7, 1),
                "h": round(PAD_T + plot_h - y(m.closing), 1),
                "value": m.closing,
                "below": target_count is not None and m.closing < target_count,
                "label_x": round(x + slot * 0.35, 1),
                "month": m.month,
                # The month's number under its bar; over more than a year (narrow bars) January's only, as its year.
                "tick": m.month.month if len(months) <= 12 else m.month.year if m.month.month == 1 else "",
            }
        )
    return {
        "width": CHART_W,
        "height": CHART_H,
        "bars": bars,
        "target_y": y(target_count) if target_count is not None else None,
        "target": target_count,
        "top": top,
        "top_y": y(top),
        "base_y": PAD_T + plot_h,
        "axis_x": PAD_L,
        "label_y": CHART_H - 6,
    }


def cycle_ledger(
    key: ScopeKey,
    *,
    today: dt.date | None = None,
    months: int = MONTHS,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> Ledger:
    """The months `first` to `last` (default: the last `months` months): opening + new (by source) -
    won - lost = closing, by count and by amount, plus horizon moves from the prospect history.
    6 queries whatever the period or scope.

    Amounts use each prospect's current amount (the history of amount edits is not replayed)."""
    last = month_start(last) if last else this_month(today)
    first = month_start(first) if first else add_months(last, -(months - 1))
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    end = add_months(last, 1)
    tz = timezone.get_current_timezone()
    first_dt = timezone.make_aware(dt.datetime.combine(first, dt.time()), tz)
    end_dt = timezone.make_aware(dt.datetime.combine(end, dt.time()), tz)
    owners = scope_owner_ids(key, team_member_ids())  # 1 query
    base = Prospect.objects.order_by()
    if owners is not None:
        base = base.filter(owner_id__in=owners)

    # 1. Opening: created before the first month and still open at its start.
    open_at_start = Q(created_at__lt=first_dt) & (Q(status=Status.OPEN) | Q(closed_on__gte=first))
    opening = base.aggregate(
        n=Count("id", filter=open_at_start), amount=Sum("amount", filter=open_at_start, default=Decimal(0))
    )
    # 2. New, by month and source.
    new_rows = (
        base.filter(created_at__gte=first_dt, created_at__lt=end_dt)
        .annotate(m=TruncMonth("created_at"))
        .values("m", "source", "lead_activity__kind")
        .annotate(n=Count("id"), amount=Sum("amount"))
    )
    # 3. Won and lost, by month of closing.
    closed_rows = (
        base.filter(status__in=[Status.WON, Status.LOST], closed_on__gte=first, closed_on__lt=end)
        .annotate(m=TruncMonth("closed_on"))
        .values("m", "status")
        .annotate(n=Count("id"), amount=Sum("amount"), booked=Sum("won_amount"))
    )
    ledger = {add_months(first, i): LedgerMonth(add_months(first, i)) for i in range(months)}

    def month_of(value) -> dt.date:
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value, tz).date() if timezone.is_aware(value) else value.date()
        return value.replace(day=1)

    for r in new_rows:
        m = ledger.get(month_of(r["m"]))
        if m is not None:
            m.new += r["n"]
            m.new_amount += r["amount"] or 0
            m.new_by_source[r["source"]] = m.new_by_source.get(r["source"], 0) + r["n"]
            kind = r["lead_activity__kind"] or ""
            m.new_by_lead_kind[kind] = m.new_by_lead_kind.get(kind, 0) + r["n"]
    for r in closed_rows:
        m = ledger.get(month_of(r["m"]))
        if m is None:
            continue
        if r["status"] == Status.WON:
            m.won += r["n"]
            m.won_amount += r["amount"] or 0
            m.sales_won += r["booked"] or 0
        else:
            m.lost += r["n"]
            m.lost_amount += r["amount"] or 0
    # 4. Horizon moves (pghistory): events whose horizon differs from the previous event's.
    for month, horizon, n in _horizon_moves(owners, first_dt, end_dt, tz):
        m = ledger.get(month_of(month))
        if m is not None:
            m.moves[horizon] = m.moves.get(horizon, 0) + n

    rows = list(ledger.values())
    count, amount = opening["n"], opening["amount"] or Decimal(0)
    for m in rows:
        m.opening, m.opening_amount = count, amount
        m.closing = m.opening + m.new - m.won - m.lost
        m.closing_amount = m.opening_amount + m.new_amount - m.won_amount - m.lost_amount
        count, amount = m.closing, m.closing_amount
    target = target_for_key(key)  # 1 query
    return Ledger(rows, target, _chart(rows, target.min_open if target else None))


def _horizon_moves(owners: set[int] | None, start: dt.datetime, end: dt.datetime, tz) -> list[tuple]:
    """(month, horizon, count) of the horizon moves in [start, end): history events whose horizon
    differs from the prospect's previous event. Written out: the ORM cannot filter on a window function
    (LAG) computed in a subquery."""
    from prospects.models import ProspectEvent

    sql = """
        SELECT date_trunc('month', pgh_created_at AT TIME ZONE %(tz)s)::date AS month, horizon, COUNT(*) AS n
        FROM (
            SELECT pgh_created_at, horizon, owner_id,
                   LAG(horizon) OVER (PARTITION BY pgh_obj_id ORDER BY pgh_id) AS previous
            FROM {events}
            WHERE pgh_created_at < %(end)s
              -- only prospects that changed in the window (the pgh_obj_id index) need their past
              AND pgh_obj_id IN (SELECT pgh_obj_id FROM {events} WHERE pgh_created_at >= %(start)s)
        ) e
        WHERE previous IS NOT NULL AND previous <> horizon AND pgh_created_at >= %(start)s
            AND (%(everyone)s OR owner_id = ANY(%(owners)s))
        GROUP BY 1, 2
    """.format(events=connection.ops.quote_name(ProspectEvent._meta.db_table))
    params = {
        "tz": str(tz),
        "start": start,
        "end": end,
        "everyone": owners is None,
        "owners": sorted(owners or ()),
    }
    # Raw SQL: a filter on a window function (LAG) in a subquery, which the ORM cannot write.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
