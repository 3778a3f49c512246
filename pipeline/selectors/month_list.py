"""The "might buy this month" list of the forecast meeting: its rows, per-rep totals and bands."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from accounts.models import User
from activities.selectors import attach_next_activities
from closing.models import TestClosing
from pipeline.models import Rank, RankBands
from pipeline.selectors.rows import MONTH_ROW_FIELDS, ProspectRow, decorate
from pipeline.selectors.rules import (
    MONTH_LIST_ORDER,
    ZERO,
    carried_q,
    dsum,
    listed,
    weighted_expr,
    won_in_month,
)
from pipeline.selectors.scope import Scope
from prospects.models import Prospect
from salescrm.lib.months import this_month

RANKS = (Rank.A, Rank.B, Rank.C)


def month_list_rows(
    qs: QuerySet[Prospect], month: dt.date, *, current: dt.date | None = None
) -> QuerySet[Prospect]:
    """The prospects of `qs` on the list of `month`, in the list's order, with their weighted amount
    and their last test closing: the rows of the page, the print view, the exports and snapshots."""
    last = TestClosing.objects.filter(prospect=OuterRef("pk")).order_by("-asked_at", "-id")
    return (
        listed(qs, month, current=current)
        .annotate(
            weighted=weighted_expr(),
            changed_on=TruncDate("updated_at"),
            last_tc_on=TruncDate(Subquery(last.values("asked_at")[:1])),
            last_tc_question=Subquery(last.values("question_text")[:1]),
            last_tc_answer=Subquery(last.values("answer")[:1]),
            last_tc_reading=Subquery(last.values("reading")[:1]),
        )
        .order_by(*MONTH_LIST_ORDER)
    )


@dataclass(frozen=True)
class BandRow:
    label: str
    rank: str  # "" for the won line
    added: Decimal  # what this line adds to the one above
    running: Decimal
    sales_target: Decimal | None
    carried: Decimal = ZERO  # of `added`, the deals carried over from an earlier month

    @property
    def pct(self) -> Decimal | None:
        """The running amount as a % of the sales target."""
        if not self.sales_target:
            return None
        return (self.running * 100 / self.sales_target).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def adds_nothing(self) -> bool:
        """A rank line equal to the one above (no listed deal in that rank): the page says so."""
        return bool(self.rank) and not self.added


@dataclass
class Totals:
    label: str = ""
    owner_id: int | None = None
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    won_count: int = 0
    won: Decimal = ZERO
    rank_amount: dict[str, Decimal] = field(default_factory=dict)
    sales_target: Decimal | None = None
    # Of the listed rows, those carried over from an earlier expected month (rules.month_list_q).
    carried_count: int = 0
    carried_amount: Decimal = ZERO
    carried_rank_amount: dict[str, Decimal] = field(default_factory=dict)

    @property
    def band_rows(self) -> list[BandRow]:
        """The reading against the target: won, then + A, + B, + C, each with what it adds and the
        running amount (and its % of the sales target)."""
        rows = [BandRow(_("Won"), "", self.won, self.won, self.sales_target)]
        running = self.won
        for rank in RANKS:
            added = self.rank_amount.get(rank, ZERO)
            running += added
            label = _("+ %(rank)s rank") % {"rank": rank}
            carried = self.carried_rank_amount.get(rank, ZERO)
            rows.append(BandRow(label, rank, added, running, self.sales_target, carried))
        return rows

    def add(self, other: Totals) -> None:
        self.count += other.count
        self.amount += other.amount
        self.weighted += other.weighted
        self.won_count += other.won_count
        self.won += other.won
        self.carried_count += other.carried_count
        self.carried_amount += other.carried_amount
        for rank, amount in other.rank_amount.items():
            self.rank_amount[rank] = self.rank_amount.get(rank, ZERO) + amount
        for rank, amount in other.carried_rank_amount.items():
            self.carried_rank_amount[rank] = self.carried_rank_amount.get(rank, ZERO) + amount


@dataclass
class MonthList:
    scope: Scope
    month: dt.date
    rows: list[ProspectRow]  # the rows of `page` (every row when the list is not paged)
    per_rep: list[Totals]
    total: Totals
    bands: RankBands
    page: int = 1
    pages: int = 1
    carries_over: bool = False  # the current month's list: overdue open deals are carried into it

    @property
    def paged(self) -> bool:
        return self.pages > 1

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


_WHO = ("owner", "owner__username", "owner__first_name", "owner__last_name", "owner__is_active")


def _by_owner(rows: QuerySet) -> dict[int, dict[str, Any]]:
    return {
        r["owner"]: {
            **r,
            # A deactivated rep's row stays, marked: the total counts their prospects.
            "name": User.format_roster_name(
                r["owner__last_name"], r["owner__first_name"], r["owner__username"], r["owner__is_active"]
            ),
        }
        for r in rows
    }


def _per_rep(base: QuerySet[Prospect], month: dt.date, bands: RankBands, current: dt.date) -> list[Totals]:
    """Per owner: the listed prospects' count and sums (by rank too, and carried over), and what they
    won in the month (one grouped query each), by weighted amount."""
    aggregates: dict[str, Any] = dict(
        n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum(weighted_expr())
    )
    aggregates.update({f"amount_{r}": dsum("amount", filter=bands.rank_q(r)) for r in RANKS})
    aggregates.update(
        carried_n=Count("id", filter=carried_q(month)), carried_sum=dsum("amount", filter=carried_q(month))
    )
    aggregates.update(
        {f"carried_{r}": dsum("amount", filter=bands.rank_q(r) & carried_q(month)) for r in RANKS}
    )
    on_list = _by_owner(listed(base, month, current=current).order_by().values(*_WHO).annotate(**aggregates))
    won = _by_owner(
        won_in_month(base, month).order_by().values(*_WHO).annotate(n=Count("id"), won_sum=dsum("won_amount"))
    )
    per_rep = []
    for owner in set(on_list) | set(won):
        row, won_row = on_list.get(owner, {}), won.get(owner, {})
        per_rep.append(
            Totals(
                label=(row or won_row)["name"],
                owner_id=owner,
                count=row.get("n", 0),
                amount=row.get("amount_sum", ZERO),
                weighted=row.get("weighted_sum", ZERO),
                won_count=won_row.get("n", 0),
                won=won_row.get("won_sum", ZERO),
                rank_amount={r: row.get(f"amount_{r}", ZERO) for r in RANKS},
                carried_count=row.get("carried_n", 0),
                carried_amount=row.get("carried_sum", ZERO),
                carried_rank_amount={r: row.get(f"carried_{r}", ZERO) for r in RANKS},
            )
        )
    per_rep.sort(key=lambda t: (-t.weighted, t.label))
    return per_rep


def month_list(
    *,
    viewer: User | None,
    scope: Scope,
    month: dt.date,
    today: dt.date,
    page: int = 1,
    page_size: int | None = None,
) -> MonthList:
    """The monthly forecast-meeting list: its rows (one page of `page_size` rows, or all of them),
    per rep and scope totals over every row. A constant number of queries."""
    bands, target = scope.bands_and_target()
    base = scope.prospects(viewer)
    current = this_month(today)
    per_rep = _per_rep(base, month, bands, current)
    total = Totals(label=_("Total"), sales_target=target.sales_target if target else None)
    for line in per_rep:
        total.add(line)
    pages = max(1, -(-total.count // page_size)) if page_size else 1
    page = min(max(page, 1), pages)
    if page_size:
        # The page's ids first, then only their last test closings: the per-row subqueries of every
        # listed row before the LIMIT cost tens of ms for a team (docs/performance.md).
        window = listed(base, month, current=current).order_by(*MONTH_LIST_ORDER).values("pk")
        base = Prospect.objects.filter(pk__in=window[(page - 1) * page_size : page * page_size])
    rows_qs = month_list_rows(base, month, current=current).values(*MONTH_ROW_FIELDS)
    rows = [ProspectRow(**row) for row in rows_qs]
    attach_next_activities(rows)
    rows = [decorate(row, bands, today) for row in rows]
    for row in rows:
        row.carried_from = row.expected_month if row.expected_month and row.expected_month < month else None
    return MonthList(
        scope=scope,
        month=month,
        rows=rows,
        per_rep=per_rep,
        total=total,
        bands=bands,
        page=page,
        pages=pages,
        carries_over=month == current,
    )
