"""Permission-aware reads for the board, the "might buy this month" list, the forecast and home.

Every figure is computed by the database (aggregate/annotate with conditional aggregation); every read
costs a constant number of queries whatever the number of prospects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import (
    managed_member_ids,
    manager_owner_ids_sql,
    visible_owner_ids_q,
    visible_users,
)
from accounts.models import Team, User
from closing.models import TestClosing
from pipeline.models import ForecastSnapshot, Rank, RankBands
from prospects.counts import counts_by_owner, pipeline_sums
from prospects.models import Horizon, Prospect, Source, Status
from prospects.selectors import RowOwner
from salescrm.lib.months import add_months, this_month
from targets.models import PipelineTarget

ZERO = Decimal(0)
HORIZONS = [Horizon.SHORT, Horizon.MID, Horizon.LONG]
FORECAST_MONTHS = 6
# A card with no change for this many days and no next action planned ahead is marked stale.
STALE_DAYS = 30


def weighted_expr(prefix: str = "") -> ExpressionWrapper:
    """amount x probability / 100, exact (numeric) in the database."""
    return ExpressionWrapper(
        F(f"{prefix}amount") * F(f"{prefix}probability") / Decimal(100),
        output_field=DecimalField(max_digits=20, decimal_places=4),
    )


def yen(value: Decimal | None) -> Decimal:
    """A total rounded to the yen, half up (the way the money filter shows it)."""
    return (value or ZERO).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def dsum(expr: Any, **kwargs: Any) -> Coalesce:
    return Coalesce(Sum(expr, **kwargs), ZERO, output_field=DecimalField(max_digits=20, decimal_places=4))


# --- Scopes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose prospects a page shows: everyone ("all"), one team ("team-<id>") or one rep ("user-<id>").

    A scope made by resolve_scope() for a viewer also holds the owner ids that viewer may see in it
    (`owner_ids`, `resolved_for`): its queries then filter on a short literal list, which PostgreSQL
    plans in a fraction of the time of the nested team and visibility subqueries."""

    key: str
    label: str
    team: Team | None = None
    user: User | None = None
    owner_ids: tuple[int, ...] | None = None
    resolved_for: int | None = None

    @property
    def is_all(self) -> bool:
        return self.key == "all"

    def resolved_for_viewer(self, viewer: User | None) -> bool:
        """Made by resolve_scope() for `viewer`: its owner ids are what that viewer may see in it."""
        return viewer is not None and self.resolved_for == viewer.pk

    def owner_q(self, field: str = "owner") -> Q:
        if self.user is not None:
            return Q(**{f"{field}_id": self.user.pk})
        if self.team is not None:
            members = Team.members.through.objects.filter(team_id=self.team.pk).values("user_id")
            return Q(**{f"{field}__in": members})
        return Q()

    def prospects(self, viewer: User | None = None) -> QuerySet[Prospect]:
        if self.resolved_for_viewer(viewer):
            if self.owner_ids is None:  # everyone, for an admin
                return Prospect.objects.all()
            return Prospect.objects.filter(owner_id__in=self.owner_ids)
        qs = Prospect.objects.all() if viewer is None else Prospect.objects.visible_to(viewer)
        return qs.filter(self.owner_q())

    def bands_and_target(
        self, *, snapshot_month: dt.date | None = None
    ) -> tuple[RankBands, PipelineTarget | None]:
        """The rank bands in force and this scope's target, read in one written-out query for the board
        and the month list (two ORM lookups cost 1.5 ms of CPU more), once per Scope (one a request).
        With `snapshot_month` the same query reads that month's forecast snapshot of the scope too
        (snapshot() then answers without a query). Both are for reading only."""
        cached = self.__dict__.get("_bands_and_target")
        if cached is None:
            cached = self.__dict__["_bands_and_target"] = self._read_bands_and_target(snapshot_month)
        return cached

    def snapshot(self, month: dt.date) -> ForecastSnapshot | None:
        """The forecast snapshot of this scope and `month`, if one was taken (id, month and time only)."""
        snapshots = self.__dict__.setdefault("_snapshots", {})
        if month not in snapshots:
            snapshots[month] = ForecastSnapshot.for_month(self.key, month)
        return snapshots[month]

    def _read_bands_and_target(
        self, snapshot_month: dt.date | None
    ) -> tuple[RankBands, PipelineTarget | None]:
        bands_table, target_table = RankBands._meta.db_table, PipelineTarget._meta.db_table
        if self.user is not None:
            on, params = "t.user_id = %s", [self.user.pk]
        elif self.team is not None:
            on, params = "t.team_id = %s", [self.team.pk]
        else:
            on, params = "t.user_id IS NULL AND t.team_id IS NULL", []
        snapshot_sql = ", NULL, NULL"
        if snapshot_month is not None:
            snapshot_sql = (
                f", s.id, s.taken_at FROM (SELECT 1) one LEFT JOIN {ForecastSnapshot._meta.db_table} s "
                "ON s.scope = %s AND s.month = %s"
            )
            params = [self.key, snapshot_month, RankBands.SINGLETON_PK, *params]
        else:
            snapshot_sql += " FROM (SELECT 1) one"
            params = [RankBands.SINGLETON_PK, *params]
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT b.id, b.a_min, b.b_min, b.updated_at, {', '.join(f't.{f}' for f in _TARGET_FIELDS)}"
                f"{snapshot_sql} LEFT JOIN {bands_table} b ON b.id = %s "
                f"LEFT JOIN {target_table} t ON {on} LIMIT 1",
                params,
            )
            row = cur.fetchone()
        return self._keep_settings(row, snapshot_month)

    def _keep_settings(
        self, row: tuple, snapshot_month: dt.date | None
    ) -> tuple[RankBands, PipelineTarget | None]:
        """Keep what a row of _SETTINGS_COLUMNS read (bands, target, snapshot) as this scope's."""
        bands = (
            RankBands.from_db(None, ["id", "a_min", "b_min", "updated_at"], row[:4])
            if row[0] is not None
            else RankBands()
        )
        target = None
        if row[4] is not None:
            target = PipelineTarget(**dict(zip(_TARGET_FIELDS, row[4:12], strict=True)))
        if snapshot_month is not None:
            snapshot = None
            if row[12] is not None:
                snapshot = ForecastSnapshot.from_db(
                    None, ["id", "scope", "month", "taken_at"], [row[12], self.key, snapshot_month, row[13]]
                )
            self.__dict__.setdefault("_snapshots", {})[snapshot_month] = snapshot
        self.__dict__["_bands_and_target"] = (bands, target)
        return bands, target


# The scope's target as _read_bands_and_target and the manager directory read it.
_TARGET_FIELDS = ("id", "user_id", "team_id", "min_open", "min_short", "min_mid", "min_long", "sales_target")


def user_scope(user: User, *, viewer: User | None = None) -> Scope:
    """A rep's scope; with `viewer`, one that viewer was checked to see (resolve_scope does)."""
    return Scope(
        key=f"user-{user.pk}",
        label=user.display_name,
        user=user,
        owner_ids=(user.pk,) if viewer is not None else None,
        resolved_for=viewer.pk if viewer is not None else None,
    )


def team_scope(team: Team, *, viewer: User | None = None) -> Scope:
    """A team's scope; with `viewer`, one whose members that viewer may see were read (for a team
    from `_visible_team`, in the same query)."""
    if viewer is None:
        return Scope(key=f"team-{team.pk}", label=team.name, team=team)
    ids = getattr(team, "visible_member_ids", None)
    if ids is None:
        members = Team.members.through.objects.filter(team_id=team.pk)
        if not viewer.is_admin_role:
            members = members.filter(visible_owner_ids_q(viewer, field="user"))
        ids = members.values_list("user_id", flat=True)
    ids = tuple(sorted(set(ids)))
    return Scope(key=f"team-{team.pk}", label=team.name, team=team, owner_ids=ids, resolved_for=viewer.pk)


def _visible_team(viewer: User, team_id: int | None = None) -> Team | None:
    """A team the viewer (a manager or an admin) may see, with its member ids, in one written-out query
    (Django took 3 ms of CPU to compile it with ArrayAgg): `team_id`, or the first by name that the
    viewer leads. Every member of such a team is visible to the viewer."""
    members = Team.members.through._meta.db_table
    managers = Team.managers.through._meta.db_table
    where, params = [], []
    if team_id is not None:
        where.append("t.id = %s")
        params.append(team_id)
    if team_id is None or not viewer.is_admin_role:
        where.append(f"EXISTS (SELECT 1 FROM {managers} g WHERE g.team_id = t.id AND g.user_id = %s)")
        params.append(viewer.pk)
    teams = Team.objects.raw(
        f"SELECT t.*, ARRAY(SELECT m.user_id FROM {members} m WHERE m.team_id = t.id) AS visible_member_ids "
        f"FROM {Team._meta.db_table} t WHERE {' AND '.join(where)} ORDER BY t.name, t.id LIMIT 1",
        params,
    )
    return next(iter(teams), None)


def _manager_directory(
    viewer: User, snapshot_month: dt.date | None = None
) -> tuple[list[tuple[Team, tuple]], list[tuple[str, str]]]:
    """For a manager (not an admin): the teams they lead, each with its member ids and its settings (the
    rank bands, its target and, with `snapshot_month`, that month's snapshot: the columns of
    Scope._read_bands_and_target), and the scope menu (those teams, then the active people they may
    look at), in ONE written-out query: a team page of a manager needs all of it, and read apart it was
    three round trips and their Python."""
    teams_table, users = Team._meta.db_table, User._meta.db_table
    members = Team.members.through._meta.db_table
    managers = Team.managers.through._meta.db_table
    bands_table, target_table = RankBands._meta.db_table, PipelineTarget._meta.db_table
    owners = manager_owner_ids_sql(viewer)
    target_columns = ", ".join(f"pt.{f}" for f in _TARGET_FIELDS)
    snapshot_columns, snapshot_join, snapshot_params = "NULL, NULL", "", []
    if snapshot_month is not None:
        snapshot_columns = "s.id, s.taken_at"
        snapshot_join = (
            f"LEFT JOIN {ForecastSnapshot._meta.db_table} s ON s.scope = 'team-' || t.id AND s.month = %s "
        )
        snapshot_params = [snapshot_month]
    nulls = ", ".join(["NULL"] * (4 + len(_TARGET_FIELDS) + 2))
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT 0, t.id, t.name, '', '', t.created_at, "
            f"ARRAY(SELECT m.user_id FROM {members} m WHERE m.team_id = t.id), "
            f"b.id, b.a_min, b.b_min, b.updated_at, {target_columns}, {snapshot_columns} FROM {teams_table} t "
            f"LEFT JOIN {bands_table} b ON b.id = %s LEFT JOIN {target_table} pt ON pt.team_id = t.id "
            f"{snapshot_join}"
            f"WHERE EXISTS (SELECT 1 FROM {managers} g WHERE g.team_id = t.id AND g.user_id = %s) "
            f"UNION ALL SELECT 1, u.id, u.last_name, u.first_name, u.username, NULL, NULL, {nulls} FROM {users} u "
            f"WHERE u.is_active AND u.id IN ({owners.sql}) ORDER BY 1, 3, 4, 5, 2",
            [RankBands.SINGLETON_PK, *snapshot_params, viewer.pk, *owners.params],
        )
        rows = cur.fetchall()
    teams: list[tuple[Team, tuple]] = []
    choices: list[tuple[str, str]] = []
    for kind, pk, name, first, username, created_at, member_ids, *settings_row in rows:
        if kind == 0:
            team = Team.from_db(connection.alias, ["id", "name", "created_at"], [pk, name, created_at])
            team.visible_member_ids = member_ids
            teams.append((team, tuple(settings_row)))
            choices.append((f"team-{pk}", name))
        else:
            choices.append((f"user-{pk}", User.format_name(name, first, username)))
    return teams, choices


def _manager_team_scope(
    viewer: User, team_id: int | None, snapshot_month: dt.date | None = None
) -> Scope | None:
    """The scope of a team the manager leads (`team_id`, or the first by name), carrying the scope menu
    and the team's settings read with it (scope_choices(viewer, scope), scope.bands_and_target() and,
    with `snapshot_month`, scope.snapshot(snapshot_month) then need no query)."""
    teams, choices = _manager_directory(viewer, snapshot_month)
    found = next(((t, row) for t, row in teams if team_id is None or t.pk == team_id), None)
    if found is None:
        return None
    team, settings_row = found
    scope = team_scope(team, viewer=viewer)
    scope.__dict__["_choices"] = (viewer.pk, choices)
    scope._keep_settings(settings_row, snapshot_month)
    return scope


def all_scope(*, viewer: User | None = None) -> Scope:
    return Scope(key="all", label=_("Everyone"), resolved_for=viewer.pk if viewer is not None else None)


def default_scope(viewer: User, *, snapshot_month: dt.date | None = None) -> Scope:
    if viewer.is_admin_role:
        return all_scope(viewer=viewer)
    if viewer.is_manager:
        scope = _manager_team_scope(viewer, None, snapshot_month)
        if scope is not None:
            return scope
    return user_scope(viewer, viewer=viewer)


def resolve_scope(viewer: User, raw: str | None, *, snapshot_month: dt.date | None = None) -> Scope:
    """The scope `raw` names if `viewer` may look at it; 404 otherwise (never 403: ids do not leak).

    A rep: only themselves. A manager: themselves, a team they lead, or one member of such a team.
    An admin: everyone, any team, any user. `snapshot_month`: the month list's month, whose snapshot a
    manager's team scope then reads with the team (scope.snapshot)."""
    raw = (raw or "").strip()
    if not raw:
        return default_scope(viewer, snapshot_month=snapshot_month)
    if raw == "all":
        if viewer.is_admin_role:
            return all_scope(viewer=viewer)
        raise Http404
    kind, _sep, pk = raw.partition("-")
    if not pk.isdigit():
        raise Http404
    if kind == "user":
        if int(pk) == viewer.pk:
            return user_scope(viewer, viewer=viewer)
        if viewer.is_rep and not viewer.is_admin_role:
            raise Http404
        user = visible_users(viewer).filter(pk=int(pk)).first()
        if user is None:
            raise Http404
        return user_scope(user, viewer=viewer)
    if kind == "team":
        if not (viewer.is_manager or viewer.is_admin_role):
            raise Http404
        if len(pk) >= 19:
            raise Http404
        if not viewer.is_admin_role:
            scope = _manager_team_scope(viewer, int(pk), snapshot_month)
            if scope is None:
                raise Http404
            return scope
        team = _visible_team(viewer, int(pk))
        if team is None:
            raise Http404
        return team_scope(team, viewer=viewer)
    raise Http404


def scope_choices(viewer: User, scope: Scope | None = None) -> list[tuple[str, str]]:
    """The scopes the selector offers: everyone (admins), the teams, then the people the viewer may
    look at. One written-out query (the two querysets it replaces cost 6 ms of CPU on every manager
    page, most of it compiling the visibility subquery); none when `scope` was resolved for this
    viewer with the menu (a manager's team scope)."""
    if not (viewer.is_manager or viewer.is_admin_role):
        return [(f"user-{viewer.pk}", viewer.display_name)]
    memo = scope.__dict__.get("_choices") if scope is not None else None
    if memo is not None and memo[0] == viewer.pk:
        return list(memo[1])
    teams, users = Team._meta.db_table, User._meta.db_table
    managers = Team.managers.through._meta.db_table
    team_where, user_where, params = "TRUE", "TRUE", []
    if not viewer.is_admin_role:
        owners = manager_owner_ids_sql(viewer)
        team_where = f"EXISTS (SELECT 1 FROM {managers} g WHERE g.team_id = t.id AND g.user_id = %s)"
        user_where = f"u.id IN ({owners.sql})"
        params = [viewer.pk, *owners.params]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT 0, t.id, t.name, '', '' FROM {teams} t WHERE {team_where} "
            f"UNION ALL SELECT 1, u.id, u.last_name, u.first_name, u.username FROM {users} u "
            f"WHERE u.is_active AND {user_where} ORDER BY 1, 3, 4, 5, 2",
            params,
        )
        rows = cur.fetchall()
    choices: list[tuple[str, str]] = [("all", _("Everyone"))] if viewer.is_admin_role else []
    for kind, pk, name, first, username in rows:
        if kind == 0:
            choices.append((f"team-{pk}", name))
        else:
            choices.append((f"user-{pk}", User.format_name(name, first, username)))
    return choices


# --- Board --------------------------------------------------------------------------------------


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
                | Q(next_action__icontains=self.q)
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


# What a board card shows (pipeline/fragments.py) and decorate() reads: the notes, address and outcome
# fields stay in the database.
CARD_FIELDS = (
    "id",
    "owner_id",
    "name",
    "horizon",
    "status",
    "probability",
    "amount",
    "currency",
    "expected_month",
    "expected_month_slips",
    "next_action",
    "next_action_on",
    "changed_on",
    "version",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "weighted",
)


class ProspectRow:
    """A prospect of a board card or a month-list row, read with values(): building 90 model instances
    (and their owners) cost three times the query. It answers what the card, the row, the exports and
    decorate() ask of a Prospect."""

    def __init__(self, owner_name: str | None = None, **row: Any) -> None:
        self.pk = self.id = row.pop("id")
        if owner_name is None:  # read with the row (values() of owner__*) unless the caller knows it
            owner_name = User.format_name(
                row.pop("owner__last_name"), row.pop("owner__first_name"), row.pop("owner__username")
            )
        self.owner = RowOwner(row["owner_id"], owner_name)
        self.__dict__.update(row)

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def get_source_display(self) -> str:
        return str(Source(self.source).label) if self.source in Source.values else self.source

    def __repr__(self) -> str:
        return f"<ProspectRow {self.pk} {self.name!r}>"


# A month-list row (month_list_rows): what the row, the exports and decorate() read, and the last test
# closing; its owner's name comes with it (owner__*) or from the per-rep totals read before it. Each
# column a row does not show cost its conversion: 50 rows of the card's fields and timestamps took
# 0.5 ms more to read than these.
MONTH_ROW_FIELDS = (
    "id",
    "owner_id",
    "name",
    "status",
    "probability",
    "amount",
    "currency",
    "expected_month",
    "next_action",
    "next_action_on",
    "changed_on",
    "weighted",
    "source",
    "last_tc_on",
    "last_tc_question",
    "last_tc_answer",
    "last_tc_reading",
)


def decorate(prospect: Prospect, bands: RankBands, today: dt.date) -> Prospect:
    """Display-only facts of a card: rank, overdue marks, days since the last change."""
    current = this_month(today)
    prospect.rank = bands.rank(prospect.probability)
    prospect.month_passed = prospect.is_open and bool(
        prospect.expected_month and prospect.expected_month < current
    )
    prospect.action_overdue = prospect.is_open and bool(
        prospect.next_action_on and prospect.next_action_on < today
    )
    # Stale only when nothing is planned: a future next action keeps a quiet card fresh.
    has_future_action = bool(prospect.next_action_on and prospect.next_action_on >= today)
    # Rows read for display carry the local date of their last change (changed_on); models their updated_at.
    changed_on = getattr(prospect, "changed_on", None) or timezone.localtime(prospect.updated_at).date()
    prospect.days_since_change = (today - changed_on).days
    prospect.stale = prospect.days_since_change >= STALE_DAYS and not has_future_action
    prospect.flagged = prospect.month_passed or prospect.action_overdue
    return prospect


def board_columns(
    *,
    viewer: User,
    scope: Scope,
    filters: BoardFilters,
    today: dt.date,
    with_cards: bool = True,
    bands: RankBands | None = None,
) -> list[Column]:
    """The three columns of the board with their header figures (count, amount, weighted, target).

    Each column holds at most BOARD_CARDS_PER_COLUMN cards (the soonest, then the largest weighted
    amount); its count and sums cover every prospect. Queries: bands 1 (unless given) + target 1 +
    totals 1 (+ cards 1)."""
    loaded_bands, target = scope.bands_and_target()
    bands = bands or loaded_bands
    where = _board_where(scope, viewer, filters)
    if where is not None:
        totals, cards = _board_rows_sql(
            where, with_cards=with_cards, kept_sums_of=scope.owner_ids if filters.is_empty else _UNFILTERED
        )
    else:
        totals, cards = _board_rows_orm(scope, viewer, filters, with_cards=with_cards)
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
    by_horizon = {c.horizon: c for c in columns}
    for prospect in cards:
        by_horizon[prospect.horizon].cards.append(decorate(prospect, bands, today))
    for column in columns:
        if column.cards and column.count > len(column.cards):
            column.more_after = CardCursor.after(column.cards[-1])
    return columns


CARD_ORDER = [F("expected_month").asc(nulls_last=True), F("weighted").desc(), F("id").asc()]


def _board_rows_orm(
    scope: Scope, viewer: User, filters: BoardFilters, *, with_cards: bool
) -> tuple[dict[str, dict], list[ProspectRow]]:
    """The column totals and the first cards of each column through the ORM (any scope)."""
    base = filters.apply(scope.prospects(viewer).open())
    totals = {
        row["horizon"]: row
        for row in base.order_by()
        .values("horizon")
        .annotate(n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum(weighted_expr()))
    }
    if not with_cards:
        return totals, []
    # The first cards of each column, in one query: a big pipeline must not render thousands of
    # cards (the column totals above still count every prospect). Each column's first ids come from
    # its own ORDER BY ... LIMIT (a top-N sort over the open-pipeline index, which holds every column
    # it reads); only those rows are then fetched whole.
    firsts = [
        base.filter(horizon=horizon)
        .annotate(weighted=weighted_expr())
        .order_by(*CARD_ORDER)
        .values("pk")[: settings.BOARD_CARDS_PER_COLUMN]
        for horizon in HORIZONS
    ]
    rows = (
        Prospect.objects.filter(pk__in=firsts[0].union(*firsts[1:], all=True))
        .annotate(weighted=weighted_expr(), changed_on=TruncDate("updated_at"))
        .order_by(*CARD_ORDER)
        .values(*CARD_FIELDS)
    )
    return totals, [ProspectRow(**row) for row in rows]


def _like(text: str) -> str:
    """An ILIKE pattern matching `text` anywhere, its wildcards escaped (as icontains does)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_OWNERS_SQL = "p.owner_id = ANY(%(owners)s)"
# Up to this many owners the board reads each owner's first cards from the index (see _board_rows_sql);
# beyond, one ranking over all of them costs less than that many index descents.
CARDS_PER_OWNER_MAX_OWNERS = 50


def _scope_owner_sql(scope: Scope) -> tuple[str, dict]:
    if scope.owner_ids is None:
        return "TRUE", {}
    return _OWNERS_SQL, {"owners": list(scope.owner_ids)}


def _board_where(scope: Scope, viewer: User, filters: BoardFilters) -> tuple[str, dict] | None:
    """The WHERE clause of the board's two queries for a scope resolved for `viewer` (its owner ids are
    known, so no visibility subquery is needed); None for any other scope (the ORM path)."""
    if not scope.resolved_for_viewer(viewer):
        return None
    owners, params = _scope_owner_sql(scope)
    clauses = ["p.status = 'open'", owners]
    if filters.source:
        clauses.append("p.source = %(source)s")
        params["source"] = filters.source
    if filters.month_from:
        clauses.append("p.expected_month >= %(month_from)s")
        params["month_from"] = filters.month_from
    if filters.month_to:
        clauses.append("p.expected_month <= %(month_to)s")
        params["month_to"] = filters.month_to
    if filters.q:
        clauses.append("(p.name ILIKE %(q)s OR p.contact_person ILIKE %(q)s OR p.next_action ILIKE %(q)s)")
        params["q"] = _like(filters.q)
    return " AND ".join(clauses), params


_WEIGHTED_SQL = "p.amount * p.probability / 100"
# Sums and orderings divide once, not per row: numeric division is half the cost of these aggregates,
# and amount x probability / 100 is exact (two decimals / 100), so the sum and the order are the same.
_WEIGHTED_SUM_SQL = "COALESCE(SUM(p.amount * p.probability), 0) / 100"
_CARD_ORDER_SQL = "p.expected_month ASC NULLS LAST, p.amount * p.probability DESC, p.id ASC"
# The local date of a timestamp, as TruncDate reads it (the current time zone a parameter).
_LOCAL_DATE_SQL = "({} AT TIME ZONE %(tz)s)::date"


def _columns_sql(fields: Iterable[str], computed: dict[str, str]) -> str:
    """`fields` as columns of prospects p (owner__* of its users u), in the same order; `computed`: the
    expressions of the fields that are not columns."""
    return ", ".join(
        computed.get(f) or (f"u.{f.removeprefix('owner__')}" if f.startswith("owner__") else f"p.{f}")
        for f in fields
    )


_CARD_COLUMNS_SQL = _columns_sql(
    CARD_FIELDS, {"weighted": _WEIGHTED_SQL, "changed_on": _LOCAL_DATE_SQL.format("p.updated_at")}
)


# kept_sums_of for a filtered board: its sums must come from its own prospects.
_UNFILTERED: Any = object()


def _board_rows_sql(
    where: tuple[str, dict], *, with_cards: bool, kept_sums_of: Iterable[int] | None = _UNFILTERED
) -> tuple[dict[str, dict], list[ProspectRow]]:
    """The same two queries as _board_rows_orm, written out: Django's compiling of them and building of
    the rows cost eight times their execution (10 ms of CPU a board at M). tests/pipeline pins that
    both paths give the same columns and cards.

    An unfiltered board's sums (`kept_sums_of`: its owner ids, None for everyone) are the
    trigger-kept ones (prospects.counts.pipeline_sums: a few rows per owner instead of summing every
    open prospect of a team's reps, 1.5-2 ms at M)."""
    clause, params = where
    if kept_sums_of is _UNFILTERED:
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT p.horizon, COUNT(*), COALESCE(SUM(p.amount), 0), {_WEIGHTED_SUM_SQL} "
                f"FROM {Prospect._meta.db_table} p WHERE {clause} GROUP BY p.horizon",
                params,
            )
            totals = {
                horizon: {"n": n, "amount_sum": amount, "weighted_sum": weighted}
                for horizon, n, amount, weighted in cur.fetchall()
            }
    else:
        totals = {
            horizon: {"n": s.n, "amount_sum": s.amount, "weighted_sum": s.weighted}
            for horizon, s in pipeline_sums(kept_sums_of).items()
        }
    if not with_cards:
        return totals, []
    # Each column's first cards, in one query.
    firsts = [_first_cards_sql(f"{clause} AND p.horizon = '{horizon}'", params) for horizon in HORIZONS]
    return totals, _cards_sql(firsts, params, settings.BOARD_CARDS_PER_COLUMN)


@dataclass(frozen=True)
class CardCursor:
    """Where a column's shown cards end, in the cards' order (expected month, soonest first and none
    last; weighted amount, largest first; id): the column's next cards come after it. Carried by the
    column's "more" button, it stays right when cards are moved or edited meanwhile (an offset would
    skip or repeat a card)."""

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
        month, weighted, pk = raw.split("~")
        value = Decimal(weighted)
        # A weighted amount is at most an amount (14 digits): anything larger is not a card's.
        if not value.is_finite() or abs(value) >= 10**15 or not pk.isdigit() or len(pk) > 18:
            raise ValueError(raw)
        return cls(dt.date.fromisoformat(month) if month else None, value, int(pk))

    def sql(self) -> tuple[str, dict]:
        """The condition "after this cursor" on prospects p (amount x probability = weighted x 100)."""
        params = {"after_w": self.weighted * 100, "after_id": self.id, "after_month": self.expected_month}
        tie = "(p.amount * p.probability < %(after_w)s OR (p.amount * p.probability = %(after_w)s AND p.id > %(after_id)s))"
        if self.expected_month is None:
            return f"(p.expected_month IS NULL AND {tie})", params
        return (
            "(p.expected_month > %(after_month)s OR p.expected_month IS NULL "
            f"OR (p.expected_month = %(after_month)s AND {tie}))"
        ), params

    def q(self) -> Q:
        """The same condition for a queryset annotated with `weighted`."""
        tie = Q(weighted__lt=self.weighted) | Q(weighted=self.weighted, pk__gt=self.id)
        if self.expected_month is None:
            return Q(expected_month__isnull=True) & tie
        return (
            Q(expected_month__gt=self.expected_month)
            | Q(expected_month__isnull=True)
            | (Q(expected_month=self.expected_month) & tie)
        )


def column_cards(
    *,
    viewer: User,
    scope: Scope,
    filters: BoardFilters,
    horizon: str,
    after: CardCursor,
    today: dt.date,
) -> tuple[list[ProspectRow], bool]:
    """A column's next BOARD_CARDS_PER_COLUMN cards after `after` (its "more" button), decorated, and
    whether more follow. Queries: bands and target 1 + cards 1."""
    limit = settings.BOARD_CARDS_PER_COLUMN
    bands, _target = scope.bands_and_target()
    where = _board_where(scope, viewer, filters)
    if where is not None:
        clause, params = where
        cursor_sql, cursor_params = after.sql()
        params = {**params, **cursor_params, "horizon": horizon}
        first = _first_cards_sql(f"{clause} AND p.horizon = %(horizon)s AND {cursor_sql}", params)
        rows = _cards_sql([first], params, limit + 1)
    else:
        firsts = (
            filters.apply(scope.prospects(viewer).open())
            .filter(horizon=horizon)
            .annotate(weighted=weighted_expr())
            .filter(after.q())
            .order_by(*CARD_ORDER)
            .values("pk")[: limit + 1]
        )
        rows = [
            ProspectRow(**row)
            for row in Prospect.objects.filter(pk__in=firsts)
            .annotate(weighted=weighted_expr(), changed_on=TruncDate("updated_at"))
            .order_by(*CARD_ORDER)
            .values(*CARD_FIELDS)
        ]
    return [decorate(row, bands, today) for row in rows[:limit]], len(rows) > limit


def _first_cards_sql(clause: str, params: dict) -> str:
    """The ids of the first %(limit)s cards, in the cards' order, of the open prospects p matching
    `clause` (one column, its filters and, for column_cards, its cursor). When the clause names a short
    list of owners, each owner's first cards are the first entries of prospect_open_ranked for that
    owner (read in index order, filters applied on the way, no sort) and the column's are the first of
    those: sorting every open prospect of a team's reps to keep 20 cost 0.4-0.5 ms a column at M."""
    table = Prospect._meta.db_table
    owners = params.get("owners")
    if owners is not None and len(owners) <= CARDS_PER_OWNER_MAX_OWNERS:
        per_owner = clause.replace(_OWNERS_SQL, "p.owner_id = o.id")
        return (
            f"SELECT c.id FROM unnest(%(owners)s::bigint[]) AS o(id) CROSS JOIN LATERAL ("
            f"SELECT p.id, p.expected_month, p.amount * p.probability AS w FROM {table} p "
            f"WHERE {per_owner} ORDER BY {_CARD_ORDER_SQL} LIMIT %(limit)s) c "
            f"ORDER BY c.expected_month ASC NULLS LAST, c.w DESC, c.id ASC LIMIT %(limit)s"
        )
    return f"SELECT p.id FROM {table} p WHERE {clause} ORDER BY {_CARD_ORDER_SQL} LIMIT %(limit)s"


def _cards_sql(firsts: list[str], params: dict, limit: int) -> list[ProspectRow]:
    """The cards of the ids that the _first_cards_sql subqueries `firsts` choose (each at most `limit`),
    in the cards' order: only those rows are read whole, with their owner."""
    table, users = Prospect._meta.db_table, User._meta.db_table
    ids = " UNION ALL ".join(f"({first})" for first in firsts)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {_CARD_COLUMNS_SQL} FROM {table} p JOIN {users} u ON u.id = p.owner_id "
            f"WHERE p.id IN (SELECT f.id FROM ({ids}) f) ORDER BY {_CARD_ORDER_SQL}",
            {**params, "limit": limit, "tz": timezone.get_current_timezone_name()},
        )
        return [ProspectRow(**dict(zip(CARD_FIELDS, row, strict=True))) for row in cur.fetchall()]


def column_headers(
    *, viewer: User, scope: Scope, filters: BoardFilters, today: dt.date, bands: RankBands | None = None
) -> list[Column]:
    return board_columns(
        viewer=viewer, scope=scope, filters=filters, today=today, with_cards=False, bands=bands
    )


# --- "Might buy this month" list ----------------------------------------------------------------


def month_list_q(month: dt.date) -> Q:
    """On the list of `month`: expected in that month, or short horizon with no month yet."""
    return Q(expected_month=month) | Q(horizon=Horizon.SHORT, expected_month__isnull=True)


def month_list_rows(qs: QuerySet[Prospect], month: dt.date) -> QuerySet[Prospect]:
    """The open prospects on the list of `month`, by weighted amount, with their last test closing."""
    last = TestClosing.objects.filter(prospect=OuterRef("pk")).order_by("-asked_at", "-id")
    return (
        qs.open()
        .filter(month_list_q(month))
        .select_related("owner")
        .annotate(
            weighted=weighted_expr(),
            changed_on=TruncDate("updated_at"),
            last_tc_on=TruncDate(Subquery(last.values("asked_at")[:1])),
            last_tc_question=Subquery(last.values("question_text")[:1]),
            last_tc_answer=Subquery(last.values("answer")[:1]),
            last_tc_reading=Subquery(last.values("reading")[:1]),
        )
        .order_by("-weighted", "name", "id")
    )


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

    @property
    def bands(self) -> list[tuple[str, Decimal]]:
        """Cumulative reading against the target: won, + A, + B, + C (amounts)."""
        running = self.won
        out = [(_("Won"), running)]
        for rank in (Rank.A, Rank.B, Rank.C):
            running += self.rank_amount.get(rank, ZERO)
            out.append((_("+ %(rank)s rank") % {"rank": rank}, running))
        return out

    @property
    def band_rows(self) -> list[tuple[str, Decimal, Decimal | None]]:
        """(label, cumulative amount, % of the sales target or None)."""
        rows = []
        for label, value in self.bands:
            pct = None
            if self.sales_target:
                pct = (value * 100 / self.sales_target).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
            rows.append((label, value, pct))
        return rows


def _rank_aggregates(bands: RankBands) -> dict[str, Any]:
    return {f"amount_{r}": dsum("amount", filter=bands.rank_q(r)) for r in (Rank.A, Rank.B, Rank.C)}


def _totals_from(row: dict[str, Any], won_row: dict[str, Any] | None, label: str = "") -> Totals:
    won_row = won_row or {}
    return Totals(
        label=label,
        owner_id=row.get("owner"),
        count=row.get("n", 0),
        amount=row.get("amount_sum", ZERO),
        weighted=row.get("weighted_sum", ZERO),
        won_count=won_row.get("n", 0),
        won=won_row.get("won_sum", ZERO),
        rank_amount={r: row.get(f"amount_{r}", ZERO) for r in (Rank.A, Rank.B, Rank.C)},
    )


def won_in_month(qs: QuerySet[Prospect], month: dt.date) -> QuerySet[Prospect]:
    return qs.filter(status=Status.WON, closed_on__gte=month, closed_on__lt=add_months(month, 1))


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

    @property
    def paged(self) -> bool:
        return self.pages > 1

    @property
    def previous_page(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


def _scope_total(per_rep: list[Totals], label: str) -> Totals:
    """The scope's line: the sum of the per-rep lines, which the database computed (a handful of
    subtotals, not the prospects)."""
    total = Totals(label=label)
    for t in per_rep:
        total.count += t.count
        total.amount += t.amount
        total.weighted += t.weighted
        total.won_count += t.won_count
        total.won += t.won
        for rank, amount in t.rank_amount.items():
            total.rank_amount[rank] = total.rank_amount.get(rank, ZERO) + amount
    return total


def _month_totals_orm(
    scope: Scope, viewer: User | None, month: dt.date, bands: RankBands
) -> tuple[dict[int, dict], dict[int, dict]]:
    """Per owner: the listed prospects' count and sums (by rank too), and what they won in the month;
    each row carries the owner's name (one grouped query each)."""
    base = scope.prospects(viewer)
    listed = base.open().filter(month_list_q(month)).order_by()
    aggregates = dict(n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum(weighted_expr()))
    aggregates.update(_rank_aggregates(bands))
    won = won_in_month(base, month).order_by()
    who = ("owner", "owner__username", "owner__first_name", "owner__last_name")

    def named(rows) -> dict[int, dict]:
        return {
            r["owner"]: {
                **r,
                "name": User.format_name(r["owner__last_name"], r["owner__first_name"], r["owner__username"]),
            }
            for r in rows
        }

    return (
        named(listed.values(*who).annotate(**aggregates)),
        named(won.values(*who).annotate(n=Count("id"), won_sum=dsum("won_amount"))),
    )


_LISTED_SQL = "p.status = 'open' AND (p.expected_month = %(month)s OR (p.horizon = 'short' AND p.expected_month IS NULL))"


def _month_totals_sql(
    scope: Scope, month: dt.date, bands: RankBands
) -> tuple[dict[int, dict], dict[int, dict]]:
    """_month_totals_orm for a scope resolved for its viewer, written out (as _board_rows_sql): the
    listed prospects' and the month's won figures per owner in one grouped pass."""
    owners, params = _scope_owner_sql(scope)
    params.update(month=month, next=add_months(month, 1), a=bands.a_min, b=bands.b_min)
    table, users = Prospect._meta.db_table, User._meta.db_table
    # Three parts, each read from one index: the open prospects expected in the month and the short
    # ones with no month (prospect_open_month, from the index alone), and the month's won ones
    # (prospect_status_closed). One OR over all three read 450 heap pages for a team at M.
    parts = " UNION ALL ".join(
        [
            f"SELECT p.owner_id, 1 AS listed, p.amount, p.probability, NULL::numeric AS won_amount FROM {table} p "
            f"WHERE p.status = 'open' AND p.expected_month = %(month)s AND {owners}",
            f"SELECT p.owner_id, 1, p.amount, p.probability, NULL FROM {table} p "
            f"WHERE p.status = 'open' AND p.expected_month IS NULL AND p.horizon = 'short' AND {owners}",
            f"SELECT p.owner_id, 0, 0, 0, p.won_amount FROM {table} p "
            f"WHERE p.status = 'won' AND p.closed_on >= %(month)s AND p.closed_on < %(next)s AND {owners}",
        ]
    )
    listed, won = "l.listed = 1", "l.listed = 0"
    with connection.cursor() as cur:
        # Grouped by owner first, then joined with the few owners (not the users table with every row).
        cur.execute(
            f"SELECT s.owner_id, u.last_name, u.first_name, u.username, s.n, s.amount, s.weighted, s.a, s.b, "
            f"s.c, s.won_n, s.won FROM (SELECT l.owner_id, COUNT(*) FILTER (WHERE {listed}) AS n, "
            f"COALESCE(SUM(l.amount) FILTER (WHERE {listed}), 0) AS amount, "
            f"COALESCE(SUM(l.amount * l.probability) FILTER (WHERE {listed}), 0) / 100 AS weighted, "
            f"COALESCE(SUM(l.amount) FILTER (WHERE {listed} AND l.probability >= %(a)s), 0) AS a, "
            f"COALESCE(SUM(l.amount) FILTER (WHERE {listed} AND l.probability >= %(b)s AND l.probability < %(a)s), 0) AS b, "
            f"COALESCE(SUM(l.amount) FILTER (WHERE {listed} AND l.probability < %(b)s), 0) AS c, "
            f"COUNT(*) FILTER (WHERE {won}) AS won_n, COALESCE(SUM(l.won_amount) FILTER (WHERE {won}), 0) AS won "
            f"FROM ({parts}) l GROUP BY l.owner_id) s JOIN {users} u ON u.id = s.owner_id",
            params,
        )
        rows = cur.fetchall()
    per_owner: dict[int, dict] = {}
    won_by_owner: dict[int, dict] = {}
    for owner, last, first, username, n, amount, weighted, a_sum, b_sum, c_sum, won_n, won_sum in rows:
        name = User.format_name(last, first, username)
        if n:
            per_owner[owner] = {
                "owner": owner,
                "name": name,
                "n": n,
                "amount_sum": amount,
                "weighted_sum": weighted,
                f"amount_{Rank.A}": a_sum,
                f"amount_{Rank.B}": b_sum,
                f"amount_{Rank.C}": c_sum,
            }
        if won_n:
            won_by_owner[owner] = {"owner": owner, "name": name, "n": won_n, "won_sum": won_sum}
    return per_owner, won_by_owner


# MONTH_ROW_FIELDS as columns of the page of prospects p and its last test closing tc.
_MONTH_ROW_COLUMNS_SQL = _columns_sql(
    MONTH_ROW_FIELDS,
    {
        "weighted": _WEIGHTED_SQL,
        "changed_on": _LOCAL_DATE_SQL.format("p.updated_at"),
        "last_tc_on": _LOCAL_DATE_SQL.format("tc.asked_at"),
        "last_tc_question": "tc.question_text",
        "last_tc_answer": "tc.answer",
        "last_tc_reading": "tc.reading",
    },
)


def _month_rows_sql(
    scope: Scope, month: dt.date, window: tuple[int, int] | None, owner_names: dict[int, str]
) -> list[ProspectRow]:
    """month_list_rows for a scope resolved for its viewer, written out: the page of rows is chosen
    first, then joined with its last test closing (LATERAL, one index probe a row). `owner_names`: the
    name of every owner with a listed row (the per-rep totals carry them), so no join with the users."""
    from closing.models import TestClosing

    owners, params = _scope_owner_sql(scope)
    params.update(month=month, tz=timezone.get_current_timezone_name())
    limit = ""
    if window:
        limit = "OFFSET %(offset)s LIMIT %(limit)s"
        params.update(offset=window[0], limit=window[1])
    order = "p.amount * p.probability DESC, p.name ASC, p.id ASC"
    table, closings = Prospect._meta.db_table, TestClosing._meta.db_table
    page = f"SELECT p.* FROM {table} p WHERE {_LISTED_SQL} AND {owners} ORDER BY {order} {limit}"
    owner_ids = params.get("owners")
    if window and owner_ids is not None and len(owner_ids) <= CARDS_PER_OWNER_MAX_OWNERS:
        # As the board's cards: each owner's first offset + limit rows of the month and of the short
        # ones with no month, in index order (prospect_open_month, no heap visit, no sort of every
        # listed row), then the page of those; only the page's rows are read from the table.
        params["per_owner"] = window[0] + window[1]
        ranked = "ORDER BY p.amount * p.probability DESC, p.name, p.id LIMIT %(per_owner)s"
        mine = "p.status = 'open' AND p.owner_id = o.id"
        page = (
            f"SELECT p.* FROM {table} p WHERE p.id IN (SELECT c.id FROM unnest(%(owners)s::bigint[]) AS o(id) "
            f"CROSS JOIN LATERAL ("
            f"(SELECT p.id, p.amount * p.probability AS w, p.name FROM {table} p "
            f"WHERE {mine} AND p.expected_month = %(month)s {ranked}) UNION ALL "
            f"(SELECT p.id, p.amount * p.probability, p.name FROM {table} p "
            f"WHERE {mine} AND p.expected_month IS NULL AND p.horizon = 'short' {ranked})) c "
            f"ORDER BY c.w DESC, c.name, c.id {limit})"
        )
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {_MONTH_ROW_COLUMNS_SQL} FROM ({page}) p "
            f"LEFT JOIN LATERAL (SELECT t.asked_at, t.question_text, t.answer, t.reading FROM {closings} t "
            f"WHERE t.prospect_id = p.id ORDER BY t.asked_at DESC, t.id DESC LIMIT 1) tc ON TRUE "
            f"ORDER BY {order}",
            params,
        )
        return [
            ProspectRow(owner_name=owner_names[row[1]], **dict(zip(MONTH_ROW_FIELDS, row, strict=True)))
            for row in cur.fetchall()
        ]


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
    per rep and scope totals over every row. Queries: bands, target, per rep, won per rep, rows
    (whatever the page and the number of rows); the month's snapshot is read with the bands
    (scope.snapshot(month))."""
    bands, target = scope.bands_and_target(snapshot_month=month)
    fast = scope.resolved_for_viewer(viewer)
    per_owner, won_by_owner = (
        _month_totals_sql(scope, month, bands) if fast else _month_totals_orm(scope, viewer, month, bands)
    )
    per_rep = [
        _totals_from(
            per_owner.get(pk, {"owner": pk}),
            won_by_owner.get(pk),
            (per_owner.get(pk) or won_by_owner[pk])["name"],
        )
        for pk in set(per_owner) | set(won_by_owner)
    ]
    per_rep.sort(key=lambda t: (-t.weighted, t.label))
    total = _scope_total(per_rep, _("Total"))
    total.sales_target = target.sales_target if target else None

    pages = max(1, -(-total.count // page_size)) if page_size else 1
    page = min(max(page, 1), pages)
    window = ((page - 1) * page_size, page_size) if page_size else None
    if fast:
        rows = _month_rows_sql(scope, month, window, {pk: row["name"] for pk, row in per_owner.items()})
    else:
        rows_qs = month_list_rows(scope.prospects(viewer), month).values(
            *MONTH_ROW_FIELDS, "owner__username", "owner__first_name", "owner__last_name"
        )
        if window:
            rows_qs = rows_qs[window[0] : window[0] + window[1]]
        rows = [ProspectRow(**row) for row in rows_qs]
    rows = [decorate(row, bands, today) for row in rows]
    return MonthList(
        scope=scope,
        month=month,
        rows=rows,
        per_rep=per_rep,
        total=total,
        bands=bands,
        page=page,
        pages=pages,
    )


# --- Forecast -----------------------------------------------------------------------------------


@dataclass
class ForecastMonth:
    month: dt.date
    count: int
    amount: Decimal
    weighted: Decimal


def forecast(
    *, viewer: User, scope: Scope, today: dt.date, months: int = FORECAST_MONTHS
) -> list[ForecastMonth]:
    """Open amount and weighted amount by expected month, for this month and the next ones (1 query)."""
    start = this_month(today)
    end = add_months(start, months)
    rows = {
        r["expected_month"]: r
        for r in scope.prospects(viewer)
        .open()
        .filter(expected_month__gte=start, expected_month__lt=end)
        .order_by()
        .values("expected_month")
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


# --- Snapshot accuracy --------------------------------------------------------------------------


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


def snapshot_scope(snapshot: ForecastSnapshot) -> Scope:
    if snapshot.user_id:
        return user_scope(snapshot.user)
    if snapshot.team_id:
        return team_scope(snapshot.team)
    return all_scope()


def snapshot_accuracy(*, snapshot: ForecastSnapshot, viewer: User | None) -> Accuracy:
    """What became of the list taken at the start of the month: won, lost, slipped, still open, added.

    "Actual" is everything the scope won in the month (on the list or not). Constant queries."""
    month = snapshot.month
    next_month = add_months(month, 1)
    scope = snapshot_scope(snapshot)
    lines = list(snapshot.lines.select_related("prospect", "owner").order_by("-weighted", "id"))
    forecast_totals = snapshot.lines.aggregate(
        n=Count("id"), amount_sum=dsum("amount"), weighted_sum=dsum("weighted")
    )
    won, lost, slipped, still_open = [], [], [], []
    for line in lines:
        p = line.prospect
        in_month = p.closed_on is not None and month <= p.closed_on < next_month
        if p.status == Status.WON and in_month:
            won.append(line)
        elif p.status == Status.LOST and in_month:
            lost.append(line)
        elif p.status == Status.OPEN and (
            p.expected_month == month or (p.expected_month is None and p.horizon == Horizon.SHORT)
        ):
            still_open.append(line)
        else:
            slipped.append(line)
    base = scope.prospects(viewer)
    actual = won_in_month(base, month).order_by().aggregate(n=Count("id"), won_sum=dsum("won_amount"))
    listed_ids = snapshot.lines.values("prospect_id")
    # Added: on the list now (or closed in the month after being planned for it) but not in the snapshot.
    added = list(
        base.filter(
            (Q(status=Status.OPEN) & month_list_q(month))
            | Q(status__in=[Status.WON, Status.LOST], closed_on__gte=month, closed_on__lt=next_month)
        )
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


# --- Home ---------------------------------------------------------------------------------------


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
    """The owner's open prospects per horizon, from the trigger-kept counts (prospects.counts): one
    small indexed read instead of counting the owner's prospects."""
    _total, *per_horizon = counts_by_owner([owner.pk]).get(owner.pk, (0, 0, 0, 0))
    return dict(zip(HORIZONS, per_horizon, strict=True))  # counts_by_owner: total, short, mid, long


def manager_rows(*, manager: User, today: dt.date) -> list[RepRow]:
    """One row per rep of the manager's teams (everyone for an admin). Two queries."""
    month = this_month(today)
    next_month = add_months(month, 1)
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
        weighted_month=dsum(weighted_expr("prospects__"), filter=open_q & Q(prospects__expected_month=month)),
        won_month=dsum(
            "prospects__won_amount",
            filter=Q(
                prospects__status=Status.WON,
                prospects__closed_on__gte=month,
                prospects__closed_on__lt=next_month,
            ),
        ),
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
