"""Whose prospects a pipeline page shows (a Scope), which scopes a viewer may pick, and the settings
read with a scope (rank bands, its target, a month's snapshot).

Who may see whom is not decided here: every owner list comes from accounts.access (the one
visibility rule), through visible_users / visible_teams / Prospect.objects.visible_to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import members_of, visible_teams_by_name, visible_users
from accounts.models import Role, Team, User
from pipeline.models import ForecastSnapshot, RankBands
from prospects.models import Prospect, Status
from salescrm.lib.params import parse_id
from targets.models import PipelineTarget


@dataclass
class Scope:
    """Everyone ("all"), one team ("team-<id>") or one rep ("user-<id>").

    A scope made by resolve_scope() for a viewer also holds the owner ids that viewer may see in it
    (`owner_ids`, `resolved_for`): its reads then filter on that short list of ids instead of
    repeating the visibility subquery in every query of the page."""

    key: str
    label: str
    team: Team | None = None
    user: User | None = None
    owner_ids: tuple[int, ...] | None = None
    resolved_for: int | None = None
    # Read at most once per Scope (one a request): the rank bands and target, the month snapshots.
    _settings: tuple[RankBands, PipelineTarget | None] | None = field(default=None, repr=False, compare=False)
    _snapshots: dict[dt.date, ForecastSnapshot | None] = field(
        default_factory=dict, repr=False, compare=False
    )

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
            return Q(**{f"{field}_id__in": members_of(self.team.pk)})
        return Q()

    def prospects(self, viewer: User | None = None) -> QuerySet[Prospect]:
        """The scope's prospects that `viewer` may see (every one with None: jobs and snapshots)."""
        if self.resolved_for_viewer(viewer):
            if self.owner_ids is None:  # everyone, for an admin
                return Prospect.objects.all()
            return Prospect.objects.filter(owner_id__in=self.owner_ids)
        qs = Prospect.objects.all() if viewer is None else Prospect.objects.visible_to(viewer)
        return qs.filter(self.owner_q())

    def bands_and_target(self) -> tuple[RankBands, PipelineTarget | None]:
        """The rank bands in force and this scope's target (for reading only)."""
        if self._settings is None:
            if self.user is not None:
                target = PipelineTarget.objects.filter(user_id=self.user.pk).first()
            elif self.team is not None:
                target = PipelineTarget.objects.filter(team_id=self.team.pk).first()
            else:
                target = PipelineTarget.objects.filter(user__isnull=True, team__isnull=True).first()
            self._settings = (RankBands.load(), target)
        return self._settings

    def snapshot(self, month: dt.date) -> ForecastSnapshot | None:
        """The forecast snapshot of this scope and `month`, if one was taken."""
        if month not in self._snapshots:
            self._snapshots[month] = ForecastSnapshot.for_month(self.key, month)
        return self._snapshots[month]


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
    """A team's scope; with `viewer`, holding the members that viewer may see (one query)."""
    if viewer is None:
        return Scope(key=f"team-{team.pk}", label=team.name, team=team)
    ids = visible_users(viewer).filter(pk__in=members_of(team.pk)).order_by("pk").values_list("pk", flat=True)
    return Scope(
        key=f"team-{team.pk}", label=team.name, team=team, owner_ids=tuple(ids), resolved_for=viewer.pk
    )


def all_scope(*, viewer: User | None = None) -> Scope:
    return Scope(key="all", label=_("Everyone"), resolved_for=viewer.pk if viewer is not None else None)


def _led_teams(viewer: User) -> list[Team]:
    """The teams a manager or an admin may pick as a scope, by name."""
    if not (viewer.is_manager or viewer.is_admin_role):
        return []
    return visible_teams_by_name(viewer)


def default_scope(viewer: User) -> Scope:
    """An admin: everyone; a manager: the first team they lead, by name; anyone else: themselves."""
    if viewer.is_admin_role:
        return all_scope(viewer=viewer)
    if viewer.is_manager:
        team = next(iter(_led_teams(viewer)), None)
        if team is not None:
            return team_scope(team, viewer=viewer)
    return user_scope(viewer, viewer=viewer)


def resolve_scope(viewer: User, raw: str | None) -> Scope:
    """The scope `raw` names if `viewer` may look at it; 404 otherwise (never 403: ids do not leak).

    A rep: only themselves. A manager: themselves, a team they lead, or someone they may see.
    An admin: everyone, any team, any user."""
    raw = (raw or "").strip()
    if not raw:
        return default_scope(viewer)
    if raw == "all":
        if viewer.is_admin_role:
            return all_scope(viewer=viewer)
        raise Http404
    kind, _sep, raw_pk = raw.partition("-")
    pk = parse_id(raw_pk)
    if kind == "user":
        if pk == viewer.pk:
            return user_scope(viewer, viewer=viewer)
        user = visible_users(viewer).filter(pk=pk).first()
        if user is None:
            raise Http404
        return user_scope(user, viewer=viewer)
    if kind == "team":
        team = next((t for t in _led_teams(viewer) if t.pk == pk), None)
        if team is None:
            raise Http404
        return team_scope(team, viewer=viewer)
    raise Http404


def scope_choices(viewer: User, scope: Scope | None = None) -> list[tuple[str, str]]:
    """The scopes the menu offers: everyone (admins), the teams, then the people the viewer may look at:
    the active reps, and anyone else (a manager, a deactivated rep, marked) who owns open prospects,
    so the people offered add up to the team's board and no one is a row of zeros. A rep has only
    themselves."""
    if not (viewer.is_manager or viewer.is_admin_role):
        return [(f"user-{viewer.pk}", viewer.display_name)]
    choices: list[tuple[str, str]] = [("all", _("Everyone"))] if viewer.is_admin_role else []
    choices += [(f"team-{team.pk}", team.name) for team in _led_teams(viewer)]
    # EXISTS, not a join: the join read every prospect of every person (5,000 rows for a team at M)
    # to keep one row each (DISTINCT).
    owns_open = Exists(Prospect.objects.filter(owner=OuterRef("pk"), status=Status.OPEN))
    people = (
        visible_users(viewer)
        .filter(Q(is_active=True, role=Role.REP) | owns_open)
        .order_by("last_name", "first_name", "username", "pk")
        .values_list("pk", "last_name", "first_name", "username", "is_active")
    )
    choices += [
        (f"user-{pk}", User.format_roster_name(last, first, username, active))
        for pk, last, first, username, active in people
    ]
    return choices


def snapshot_scope(snapshot: ForecastSnapshot) -> Scope:
    if snapshot.user_id:
        return user_scope(snapshot.user)
    if snapshot.team_id:
        return team_scope(snapshot.team)
    return all_scope()
