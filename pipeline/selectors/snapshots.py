"""Forecast accuracy: what became of the list a snapshot kept at the start of its month."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count

from accounts.models import User
from pipeline.models import ForecastSnapshot
from pipeline.selectors.rules import closed_in_month_q, dsum, listed, month_list_q, won_in_month
from pipeline.selectors.scope import snapshot_scope
from prospects.models import Prospect, Status
from salescrm.lib.months import add_months


@dataclass
class Accuracy:
    snapshot: ForecastSnapshot
    forecast_count: int
    forecast_amount: Decimal
    forecast_weighted: Decimal
    actual_count: int
    actual_amount: Decimal
    won: list[Any]
    lost: list[Any]
    slipped: list[Any]
    still_open: list[Any]
    added: list[Prospect]

    @property
    def hit_rate(self) -> Decimal | None:
        if not self.forecast_count:
            return None
        return (Decimal(len(self.won)) * 100 / self.forecast_count).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )

    @property
    def amount_ratio(self) -> Decimal | None:
        if not self.forecast_weighted:
            return None
        return (self.actual_amount * 100 / self.forecast_weighted).quantize(
            Decimal("1"), rounding=ROUND_HALF_UP
        )


def snapshot_accuracy(*, snapshot: ForecastSnapshot, viewer: User | None) -> Accuracy:
    """What became of the list taken at the start of the month: won, lost, slipped, still open, added.

    "Actual" is everything the scope won in the month (on the list or not). Constant queries."""
    month = snapshot.month
    next_month = add_months(month, 1)
    lines = list(snapshot.lines.select_related("prospect", "owner").order_by("-weighted", "id"))
    forecast_totals = snapshot.lines.aggregate(
        n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum("weighted")
    )
    listed_ids = snapshot.lines.values("prospect_id")
    # The list as it read in its own month (month_list_q with current=month: its carried-over deals too).
    still_listed = set(
        listed(Prospect.objects.filter(pk__in=listed_ids), month, current=month).values_list("pk", flat=True)
    )
    won, lost, slipped, still_open = [], [], [], []
    for line in lines:
        p = line.prospect
        in_month = p.closed_on is not None and month <= p.closed_on < next_month
        if p.status == Status.WON and in_month:
            won.append(line)
        elif p.status == Status.LOST and in_month:
            lost.append(line)
        elif p.pk in still_listed:
            still_open.append(line)
        else:
            slipped.append(line)
    base = snapshot_scope(snapshot).prospects(viewer)
    actual = won_in_month(base, month).order_by().aggregate(n=Count("id"), won_sum=dsum("won_amount"))
    # Added: on the list now (or closed in the month) but not in the snapshot.
    added = list(
        base.filter(month_list_q(month, current=month) | closed_in_month_q(month))
        .exclude(pk__in=listed_ids)
        .select_related("owner")
        .order_by("-amount", "id")
    )
    return Accuracy(
        snapshot=snapshot,
        forecast_count=forecast_totals["n"],
        forecast_amount=forecast_totals["amount_sum"],
        forecast_weighted=forecast_totals["weighted_sum"],
        actual_count=actual["n"],
        actual_amount=actual["won_sum"],
        won=won,
        lost=lost,
        slipped=slipped,
        still_open=still_open,
        added=added,
    )
