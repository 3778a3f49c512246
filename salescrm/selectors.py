"""The manager's home page: one row per rep whose work the manager sees, and the total they add up to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.access import visible_users
from accounts.models import Role, User
from closing.models import TestClosing
from pipeline.selectors.rules import HORIZONS, dsum, month_list_q, weighted_expr, won_in_month_q
from prospects.models import Horizon, Prospect, Status
from salescrm.lib.months import this_month
from targets.models import PipelineTarget


@dataclass
class TeamRow:
    """A rep's line of the home table; `user` None is the total line."""

    user: User | None
    counts: dict[str, int]
    weighted_this_month: Decimal
    won_this_month: Decimal
    targets: dict[str, int | None] = field(default_factory=dict)
    days_since_test_closing: int | None = None

    @property
    def is_inactive(self) -> bool:
        return self.user is not None and not self.user.is_active

    def cells(self) -> list[tuple[str, str, int, int | None, bool]]:
        labels = dict(Horizon.choices)
        out = []
        for h in HORIZONS:
            target = self.targets.get(h)
            out.append((h, labels[h], self.counts[h], target, target is not None and self.counts[h] < target))
        return out


@dataclass
class TeamTable:
    rows: list[TeamRow]
    total: TeamRow


def home_team_table(*, viewer: User, today: dt.date | None = None) -> TeamTable:
    """The rows of every owner whose prospects `viewer` sees: the active reps (even with nothing open),
    and anyone else who still owns an open prospect or won this month — a deactivated rep, a manager
    with deals of their own — marked as such, so the rows add up to the total line (read over the
    same prospects on its own, not summed from the rows). Three queries."""
    today = today or timezone.localdate()
    month = this_month(today)
    open_q = Q(prospects__status=Status.OPEN)
    last_tc = TestClosing.objects.filter(asked_by=OuterRef("pk")).order_by("-asked_at").values("asked_at")[:1]
    users = (
        visible_users(viewer)
        .annotate(
            **{f"n_{h}": Count("prospects", filter=open_q & Q(prospects__horizon=h)) for h in HORIZONS},
            weighted_month=dsum(weighted_expr("prospects__"), filter=month_list_q(month, "prospects__")),
            won_month=dsum("prospects__won_amount", filter=won_in_month_q(month, "prospects__")),
            n_open=Count("prospects", filter=open_q),
            last_tc=Subquery(last_tc),
        )
        .filter(Q(is_active=True, role=Role.REP) | Q(n_open__gt=0) | Q(won_month__gt=0))
        .order_by("-is_active", "last_name", "first_name", "username")
    )
    users = list(users)
    targets = {t.user_id: t for t in PipelineTarget.objects.filter(user__in=[u.pk for u in users])}
    rows = []
    for u in users:
        target = targets.get(u.pk)
        days = None if u.last_tc is None else (today - timezone.localtime(u.last_tc).date()).days
        rows.append(
            TeamRow(
                user=u,
                counts={h: getattr(u, f"n_{h}") for h in HORIZONS},
                targets={h: getattr(target, f"min_{h}", None) if target else None for h in HORIZONS},
                weighted_this_month=u.weighted_month,
                won_this_month=u.won_month,
                days_since_test_closing=days,
            )
        )
    visible = Prospect.objects.visible_to(viewer)
    totals = visible.aggregate(
        **{f"n_{h}": Count("pk", filter=Q(status=Status.OPEN, horizon=h)) for h in HORIZONS},
        weighted_month=dsum(weighted_expr(), filter=month_list_q(month)),
        won_month=dsum("won_amount", filter=won_in_month_q(month)),
    )
    total = TeamRow(
        user=None,
        counts={h: totals[f"n_{h}"] for h in HORIZONS},
        weighted_this_month=totals["weighted_month"],
        won_this_month=totals["won_month"],
    )
    return TeamTable(rows=rows, total=total)
