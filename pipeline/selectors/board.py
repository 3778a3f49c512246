"""The board: three columns (short, mid, long term) with their figures and first cards, and a column's
next cards (its "more" button)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, Func, OuterRef, Q, QuerySet
from django.db.models.functions import TruncDate

from accounts.models import User
from activities.selectors import attach_next_activities, planned_matching
from pipeline.models import RankBands
from pipeline.selectors.rows import CARD_FIELDS, ProspectRow, decorate
from pipeline.selectors.rules import CARD_ORDER, HORIZONS, ZERO, dsum, weight, weighted_expr
from pipeline.selectors.scope import Scope
from prospects.counts import pipeline_sums
from prospects.models import Horizon, Prospect
from salescrm.lib.params import int_or_none

# Up to this many owners a column's first cards are read owner by owner from the index (see
# _first_ids); beyond, one ranking over all of them costs less than that many index descents.
CARDS_PER_OWNER_MAX_OWNERS = 50


@dataclass
class BoardFilters:
    source: str = ""
    month_from: dt.date | None = None
    month_to: dt.date | None = None
    q: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.source or self.month_from or self.month_to or self.q)

    def apply(self, qs: QuerySet[Prospect]) -> QuerySet[Prospect]:
        if self.source:
            qs = qs.filter(source=self.source)
        if self.month_from:
            qs = qs.filter(expected_month__gte=self.month_from)
        if self.month_to:
            qs = qs.filter(expected_month__lte=self.month_to)
        if self.q:
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(contact_person__icontains=self.q)
                | Exists(planned_matching(self.q))
            )
        return qs


@dataclass
class Column:
    horizon: str
    label: str
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    target: int | None = None
    cards: list[ProspectRow] = field(default_factory=list)
    more_after: CardCursor | None = None  # where the next cards start, when the column has more

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.count < self.target


@dataclass(frozen=True)
class CardCursor:
    """Where a column's shown cards end, in the card order (rules.CARD_ORDER): the column's next
    cards come after it. Carried by the "more" button, it stays right when cards are moved or edited
    meanwhile (an offset would skip or repeat a card)."""

    expected_month: dt.date | None
    weighted: Decimal
    id: int

    @classmethod
    def after(cls, card: ProspectRow | Prospect) -> CardCursor:
        return cls(card.expected_month, card.weighted, card.pk)

    def __str__(self) -> str:
        month = self.expected_month.isoformat() if self.expected_month else ""
        return f"{month}~{format(self.weighted.normalize(), 'f')}~{self.id}"  # 4500000, not 4500000.000000

    @classmethod
    def parse(cls, raw: str) -> CardCursor:
        """The cursor of a "more" button's URL; ValueError for anything else."""
        month, weighted, raw_pk = raw.split("~")
        value = Decimal(weighted)
        pk = int_or_none(raw_pk, minimum=1)
        # A weighted amount is at most an amount (14 digits): anything larger is not a card's.
        if not value.is_finite() or abs(value) >= 10**15 or pk is None:
            raise ValueError(raw)
        return cls(dt.date.fromisoformat(month) if month else None, value, pk)

    def q(self) -> Q:
        """ "After this cursor" for a queryset with the alias `card_weight` (rules.weight)."""
        w = self.weighted * 100
        tie = Q(card_weight__lt=w) | Q(card_weight=w, pk__gt=self.id)
        if self.expected_month is None:
            return Q(expected_month__isnull=True) & tie
        return (
            Q(expected_month__gt=self.expected_month)
            | Q(expected_month__isnull=True)
            | (Q(expected_month=self.expected_month) & tie)
        )


def _open_prospects(scope: Scope, viewer: User, filters: BoardFilters) -> QuerySet[Prospect]:
    return filters.apply(scope.prospects(viewer).open())


def _first_ids(column: QuerySet[Prospect], owner_ids: tuple[int, ...] | None, limit: int) -> QuerySet:
    """The ids of the first `limit` cards of `column` (one column's open prospects), in card order.

    For a short list of owners, each owner's first cards are read in the order of the
    prospect_open_ranked index (no sort of every open prospect of a team) and the column's first
    are taken from those (docs/performance.md, "board")."""
    ordered = column.order_by(*CARD_ORDER)
    if owner_ids is None or len(owner_ids) > CARDS_PER_OWNER_MAX_OWNERS:
        return ordered.values("pk")[:limit]
    per_owner = ordered.filter(owner_id=OuterRef("pk")).values("pk")[:limit]
    candidates = (
        User.objects.filter(pk__in=owner_ids)
        .annotate(card_id=Func(ArraySubquery(per_owner), function="unnest"))
        .values("card_id")
    )
    # The candidates already match the column's filters: only their ids are looked up again.
    return Prospect.objects.filter(pk__in=candidates).order_by(*CARD_ORDER).values("pk")[:limit]


def _cards(ids: QuerySet) -> list[ProspectRow]:
    """The cards of `ids`, in card order: only those rows are read, with their owner's name and
    their next planned activity."""
    rows = (
        Prospect.objects.filter(pk__in=ids)
        .annotate(weighted=weighted_expr(), changed_on=TruncDate("updated_at"))
        .order_by(*CARD_ORDER)
        .values(*CARD_FIELDS)
    )
    cards = [ProspectRow(**row) for row in rows]
    attach_next_activities(cards)
    return cards


def _column_totals(scope: Scope, viewer: User, filters: BoardFilters) -> dict[str, dict]:
    """horizon -> count, amount and weighted amount of every open prospect of the board.

    An unfiltered board reads the trigger-kept sums (prospects.counts) instead of summing every
    open prospect of its owners (docs/performance.md, "kept counts")."""
    if filters.is_empty and scope.resolved_for_viewer(viewer):
        return {
            horizon: {"n": s.n, "amount_sum": s.amount, "weighted_sum": s.weighted}
            for horizon, s in pipeline_sums(scope.owner_ids).items()
        }
    rows = (
        _open_prospects(scope, viewer, filters)
        .order_by()
        .values("horizon")
        .annotate(n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum(weighted_expr()))
    )
    return {row["horizon"]: row for row in rows}


def board_columns(
    *,
    viewer: User,
    scope: Scope,
    filters: BoardFilters,
    today: dt.date,
    with_cards: bool = True,
    bands: RankBands | None = None,
    pinned: tuple[int, ...] = (),
) -> list[Column]:
    """The three columns of the board with their header figures (count, amount, weighted, target).

    Each column holds its first BOARD_CARDS_PER_COLUMN cards, in card order, and after them the
    `pinned` cards (those the viewer just moved or edited) that are not among them, so that a reload
    keeps them in view; its count and sums cover every prospect. A constant number of queries."""
    loaded_bands, target = scope.bands_and_target()
    bands = bands or loaded_bands
    totals = _column_totals(scope, viewer, filters)
    columns = []
    for horizon in HORIZONS:
        row = totals.get(horizon, {})
        columns.append(
            Column(
                horizon=horizon,
                label=str(Horizon(horizon).label),
                count=row.get("n", 0),
                amount=row.get("amount_sum", ZERO),
                weighted=row.get("weighted_sum", ZERO),
                target=getattr(target, f"min_{horizon}", None) if target else None,
            )
        )
    if not with_cards:
        return columns
    base = _open_prospects(scope, viewer, filters)
    limit = settings.BOARD_CARDS_PER_COLUMN
    firsts = [
        _first_ids(
            base.filter(horizon=h), scope.owner_ids if scope.resolved_for_viewer(viewer) else None, limit
        )
        for h in HORIZONS
    ]
    by_horizon = {c.horizon: c for c in columns}
    for card in _cards(firsts[0].union(*firsts[1:], all=True)):
        by_horizon[card.horizon].cards.append(decorate(card, bands, today))
    for column in columns:
        if column.cards and column.count > len(column.cards):
            column.more_after = CardCursor.after(column.cards[-1])
    shown = {card.pk for column in columns for card in column.cards}
    missing = [pk for pk in pinned if pk not in shown]
    if missing:
        for card in _cards(base.filter(pk__in=missing).values("pk")):
            card.pinned = True
            by_horizon[card.horizon].cards.append(decorate(card, bands, today))
    return columns


def column_headers(
    *, viewer: User, scope: Scope, filters: BoardFilters, today: dt.date, bands: RankBands | None = None
) -> list[Column]:
    return board_columns(
        viewer=viewer, scope=scope, filters=filters, today=today, with_cards=False, bands=bands
    )


def column_cards(
    *,
    viewer: User,
    scope: Scope,
    filters: BoardFilters,
    horizon: str,
    after: CardCursor,
    today: dt.date,
    pinned: tuple[int, ...] = (),
) -> tuple[list[ProspectRow], bool]:
    """A column's next BOARD_CARDS_PER_COLUMN cards after `after` (its "more" button), decorated, and
    whether more follow. The `pinned` cards are already on the board (board_columns) and are left out."""
    limit = settings.BOARD_CARDS_PER_COLUMN
    bands, _target = scope.bands_and_target()
    column = (
        _open_prospects(scope, viewer, filters)
        .filter(horizon=horizon)
        .exclude(pk__in=pinned)
        .alias(card_weight=weight())
    )
    owner_ids = scope.owner_ids if scope.resolved_for_viewer(viewer) else None
    rows = _cards(_first_ids(column.filter(after.q()), owner_ids, limit + 1))
    return [decorate(row, bands, today) for row in rows[:limit]], len(rows) > limit
