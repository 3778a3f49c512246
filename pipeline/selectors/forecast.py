"""The forecast: open and weighted amounts by expected month, this month and the next ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, Value, When

from accounts.models import User
from pipeline.selectors.rules import ZERO, dsum, month_list_q, weighted_expr
from pipeline.selectors.scope import Scope
from salescrm.lib.months import add_months, this_month

FORECAST_MONTHS = 6


@dataclass
class ForecastMonth:
    month: dt.date
    count: int
    amount: Decimal
    weighted: Decimal


def forecast(
    *, viewer: User, scope: Scope, today: dt.date, months: int = FORECAST_MONTHS
) -> list[ForecastMonth]:
    """Open amount and weighted amount by expected month, for this month and the next ones (1 query).
    This month's figures are those of its "might buy this month" list (rules.month_list_q: with the
    deals carried over from earlier months and the short-term ones without a month)."""
    start = this_month(today)
    end = add_months(start, months)
    bucket = Case(When(month_list_q(start, current=start), then=Value(start)), default=F("expected_month"))
    rows = {
        r["bucket"]: r
        for r in scope.prospects(viewer)
        .open()
        .annotate(bucket=bucket)
        .filter(bucket__gte=start, bucket__lt=end)
        .order_by()
        .values("bucket")
        .annotate(n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum(weighted_expr()))
    }
    out = []
    for i in range(months):
        month = add_months(start, i)
        row = rows.get(month, {})
        out.append(
            ForecastMonth(
                month=month,
                count=row.get("n", 0),
                amount=row.get("amount_sum", ZERO),
                weighted=row.get("weighted_sum", ZERO),
            )
        )
    return out
