"""The manager's home page: one row per rep of the teams they lead (everyone for an admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.access import managed_member_ids
from accounts.models import User
from closing.models import TestClosing
from pipeline.selectors.rules import HORIZONS, dsum, month_list_q, weighted_expr, won_in_month_q
from prospects.counts import counts_by_owner
from prospects.models import Horizon, Status
from salescrm.lib.months import this_month
from targets.models import PipelineTarget


@dataclass
class RepRow:
    user: User
    counts: dict[str, int]
    targets: dict[str, int | None]
    weighted_this_month: Decimal
    won_this_month: Decimal
    last_test_closing: dt.datetime | None
    days_since_test_closing: int | None

    @property
    def cells(self) -> list[tuple[str, str, int, int | None, bool]]:
        """(horizon, label, count, target, below target) per horizon, for the template."""
        out = []
        for h in HORIZONS:
            n, t = self.counts[h], self.targets[h]
            out.append((h, str(Horizon(h).label), n, t, t is not None and n < t))
        return out


def horizon_counts(owner: User) -> dict[str, int]:
    """The owner's open prospects per horizon, from the trigger-kept counts (prospects.counts)."""
    _total, *per_horizon = counts_by_owner([owner.pk]).get(owner.pk, (0, 0, 0, 0))
    return dict(zip(HORIZONS, per_horizon, strict=True))  # counts_by_owner: total, short, mid, long


def manager_rows(*, manager: User, today: dt.date) -> list[RepRow]:
    """One row per rep of the manager's teams (everyone for an admin). Two queries."""
    month = this_month(today)
    open_q = Q(prospects__status=Status.OPEN)
    users = User.objects.filter(is_active=True)
    users = (
        users.exclude(role="admin")
        if manager.is_admin_role
        else users.filter(pk__in=managed_member_ids(manager))
    )
    last_tc = TestClosing.objects.filter(asked_by=OuterRef("pk")).order_by("-asked_at").values("asked_at")[:1]
    users = users.annotate(
        **{f"n_{h}": Count("prospects", filter=open_q & Q(prospects__horizon=h)) for h in HORIZONS},
        weighted_month=dsum(weighted_expr("prospects__"), filter=month_list_q(month, "prospects__")),
        won_month=dsum("prospects__won_amount", filter=won_in_month_q(month, "prospects__")),
        last_tc=Subquery(last_tc),
    ).order_by("last_name", "first_name", "username")
    users = list(users)
    targets = {t.user_id: t for t in PipelineTarget.objects.filter(user__in=[u.pk for u in users])}
    rows = []
    for u in users:
        target = targets.get(u.pk)
        days = None
        if u.last_tc is not None:
            days = (today - timezone.localtime(u.last_tc).date()).days
        rows.append(
            RepRow(
                user=u,
                counts={h: getattr(u, f"n_{h}") for h in HORIZONS},
                targets={h: getattr(target, f"min_{h}", None) if target else None for h in HORIZONS},
                weighted_this_month=u.weighted_month,
                won_this_month=u.won_month,
                last_test_closing=u.last_tc,
                days_since_test_closing=days,
            )
        )
    return rows
