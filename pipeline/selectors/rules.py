"""The pipeline's rules, each written once and reused by every read (board, "more" cards, month list
rows and totals, exports, snapshots, forecast, home): the weighted amount, the board's card order, the
month list's membership and order, and "won in the month"."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from prospects.models import Horizon, Prospect, Status
from salescrm.lib.months import add_months, this_month
from salescrm.templatetags.crm import money_unit

ZERO = Decimal(0)
HORIZONS = [Horizon.SHORT, Horizon.MID, Horizon.LONG]
_SUM_FIELD = DecimalField(max_digits=20, decimal_places=4)


def weight(prefix: str = "") -> Any:
    """amount x probability: the weighted amount x 100. Orders and cursors use it as it is, because
    the open-pipeline indexes are built on this very expression (prospects.models)."""
    return F(f"{prefix}amount") * F(f"{prefix}probability")


def weighted_expr(prefix: str = "") -> ExpressionWrapper:
    """The weighted amount: amount x probability / 100, exact (numeric) in the database."""
    return ExpressionWrapper(weight(prefix) / Decimal(100), output_field=_SUM_FIELD)


def round_money(value: Decimal | None) -> Decimal:
    """THE rounding of a weighted amount or a total: half up to the company currency's unit (the yen),
    once, on the exact value, as the money filter shows it; exports and totals use it too."""
    return (value or ZERO).quantize(money_unit(), rounding=ROUND_HALF_UP)


def yen(value: Decimal | None) -> Decimal:
    """A yen amount rounded as round_money does."""
    return round_money(value)


def dsum(expr: Any, **kwargs: Any) -> Coalesce:
    return Coalesce(Sum(expr, **kwargs), ZERO, output_field=_SUM_FIELD)


# The board's card order: soonest expected month first (none last), then the largest weighted amount.
CARD_ORDER = (F("expected_month").asc(nulls_last=True), weight().desc(), F("id").asc())

# The month list's order: the largest weighted amount first, then by name.
MONTH_LIST_ORDER = (weight().desc(), F("name").asc(), F("id").asc())


def month_list_q(month: dt.date, prefix: str = "", *, current: dt.date | None = None) -> Q:
    """On the "might buy this month" list of `month`: open, and expected in that month, or short term
    with no month yet. The list of the current month (`current`, this month when None) also carries
    every open deal whose expected month has passed: the forecast meeting must see what is due.
    `prefix`: the path to the prospect ("prospects__" from a user)."""
    due = Q(**{f"{prefix}expected_month": month}) | Q(
        **{f"{prefix}horizon": Horizon.SHORT, f"{prefix}expected_month__isnull": True}
    )
    if month == (current or this_month()):
        due |= Q(**{f"{prefix}expected_month__lt": month})
    return Q(**{f"{prefix}status": Status.OPEN}) & due


def carried_q(month: dt.date, prefix: str = "") -> Q:
    """The rows of a month's list carried over from an earlier month (month_list_q)."""
    return Q(**{f"{prefix}expected_month__lt": month})


def listed(qs: QuerySet[Prospect], month: dt.date, *, current: dt.date | None = None) -> QuerySet[Prospect]:
    """The prospects of `qs` on the list of `month` (month_list_q)."""
    return qs.filter(month_list_q(month, current=current))


def won_in_month_q(month: dt.date, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}status": Status.WON,
            f"{prefix}closed_on__gte": month,
            f"{prefix}closed_on__lt": add_months(month, 1),
        }
    )


def won_in_month(qs: QuerySet[Prospect], month: dt.date) -> QuerySet[Prospect]:
    return qs.filter(won_in_month_q(month))


def closed_in_month_q(month: dt.date) -> Q:
    return Q(status__in=[Status.WON, Status.LOST], closed_on__gte=month, closed_on__lt=add_months(month, 1))
