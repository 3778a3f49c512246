"""Role checks, in one place. Every view reaches them through these helpers.

- a rep sees their own prospects;
- a manager sees the prospects of the members of the teams they lead (and their own);
- an admin sees everything; an inactive or anonymous user nothing.
Objects outside a user's view are answered with 404, never 403, so that ids do not leak.

The rule is written once, in `visible_owner_ids_q`; the QuerySets' `visible_to` (prospects, alerts,
test closings, users) and every page, export, job and selector filter through it. Only this module
reads the team membership tables (`Team.members.through`, `Team.managers.through`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet

from accounts.models import Role, Team, User

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

Membership = Team.members.through
Management = Team.managers.through


MEMO = "_access_memo"


def remember_for_request(user: User) -> None:
    """Let the user of one request keep what this module reads about them (a manager's led teams and
    visible owners) for the rest of the request: accounts.middleware calls it on every signed-in
    request, whose User instance lives for that request only. Both are then read in ONE small query
    per request instead of a nested subquery compiled into every query that filters by visibility
    (the bell, the scope, the page). Other callers (jobs, tests, the shell) keep the subqueries, so a
    long-lived User never carries a stale team."""
    setattr(user, MEMO, {})


def _remembered(user: User) -> dict[str, list[int]] | None:
    """The request's memo of `user`'s led teams and visible owners, read on first use; None outside
    a request. The same rule as the subqueries below: the members of the teams they lead, and
    themselves."""
    memo = getattr(user, MEMO, None)
    if memo is None or "owners" in memo:
        return memo
    rows = Management.objects.filter(user_id=user.pk).values_list("team_id", "team__members")
    teams, owners = set(), {user.pk}
    for team_id, member_id in rows:
        teams.add(team_id)
        if member_id is not None:
            owners.add(member_id)
    memo.update(led_teams=sorted(teams), owners=sorted(owners))
    return memo


def _led_team_ids(user: User) -> QuerySet | list[int]:
    """The ids of the teams `user` is a manager of, as a subquery (or as remembered for a request)."""
    memo = _remembered(user)
    if memo is not None:
        return memo["led_teams"]
    return Management.objects.filter(user_id=user.pk).values("team_id")


def _managed_owner_ids(user: User) -> QuerySet | list[int]:
    """The ids a manager sees, as one subquery (or as remembered for a request): the members of the
    teams they lead, and themselves.

    The manager's own id is inside the subquery (UNION), not OR-ed beside it: "owner IN (...) OR
    owner = me" kept PostgreSQL off the owner indexes (docs/performance.md). A subquery, not a join,
    so that an owner in two of the manager's teams never doubles rows."""
    memo = _remembered(user)
    if memo is not None:
        return memo["owners"]
    members = Membership.objects.filter(team_id__in=_led_team_ids(user)).values("user_id")
    return members.union(User.objects.filter(pk=user.pk).values("pk"))


def visible_owner_ids_q(user: User, field: str = "owner") -> Q:
    """THE visibility rule: a Q on `field` (a FK to User, or "pk" for users themselves) keeping the
    rows whose user `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return Q()
    if user.is_manager:
        return Q(**{f"{field}__in": _managed_owner_ids(user)})
    return Q(**{field: user.pk})


def visible_directory_q(user: User) -> Q:
    """Companies and contacts (the customers, not the deals): every active user sees them all, so that
    two reps never chase one customer unknowingly; their prospects stay behind visible_owner_ids_q."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    return Q()


def managed_member_ids(user: User) -> QuerySet:
    """The members of the teams `user` leads, as a subquery of user ids (without the manager)."""
    return Membership.objects.filter(team_id__in=_led_team_ids(user)).values("user_id")


def managers_of(owner_ids: set[int] | None = None) -> dict[int, set[int]]:
    """owner id -> the managers who see that owner by visible_owner_ids_q (active, role manager, leading
    a team the owner is a member of), in ONE query; every owner with None. The rule read the other way
    round: who hears about a rep's alerts besides the rep."""
    rows = Membership.objects.filter(team__managers__role=Role.MANAGER, team__managers__is_active=True)
    if owner_ids is not None:
        rows = rows.filter(user_id__in=owner_ids)
    out: dict[int, set[int]] = defaultdict(set)
    for owner_id, manager_id in rows.values_list("user_id", "team__managers"):
        out[owner_id].add(manager_id)
    return out


def team_managers() -> dict[int, set[int]]:
    """team id -> the managers who see the team by visible_teams (active, role manager), ONE query."""
    out: dict[int, set[int]] = defaultdict(set)
    rows = Management.objects.filter(user__role=Role.MANAGER, user__is_active=True)
    for team_id, user_id in rows.values_list("team_id", "user_id"):
        out[team_id].add(user_id)
    return out


def admin_ids() -> set[int]:
    """The active users with the admin role (User.is_admin_role): they see everything."""
    admins = User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
    return set(admins.values_list("pk", flat=True))


def members_of(team_id: int | OuterRef) -> QuerySet:
    """The ids of a team's members, as a subquery (`pk__in=members_of(team.pk)`); `team_id` may be an
    OuterRef, for the team of each row of an outer query."""
    return Membership.objects.filter(team_id=team_id).values("user_id")


def team_member_ids(team_ids: list[int] | None = None) -> dict[int, set[int]]:
    """team id -> the ids of its members (ONE query); every team with None."""
    rows = Membership.objects.all()
    if team_ids is not None:
        rows = rows.filter(team_id__in=team_ids)
    out: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in rows.values_list("team_id", "user_id"):
        out[team_id].add(user_id)
    return out


def team_memberships_query() -> QuerySet:
    """Every (team_id, user_id) membership, as a queryset for a written-out read to embed."""
    return Membership.objects.values("team_id", "user_id").order_by()


def visible_users(user: User) -> QuerySet[User]:
    """Users whose work `user` may see (the owners they may pick in filters and reassignments)."""
    return User.objects.filter(visible_owner_ids_q(user, "pk"))


def visible_user_names(user: User) -> list[User]:
    """visible_users(user) with only what an owner filter shows (the rest loads on access)."""
    return list(visible_users(user).only("id", "username", "first_name", "last_name", "is_active"))


def visible_teams(user: User) -> QuerySet[Team]:
    if not user.is_authenticated or not user.is_active:
        return Team.objects.none()
    if user.is_admin_role:
        return Team.objects.all()
    if user.is_manager:
        return Team.objects.filter(pk__in=_led_team_ids(user))
    return Team.objects.filter(pk__in=Membership.objects.filter(user_id=user.pk).values("team_id"))


def visible_teams_by_name(user: User) -> list[Team]:
    """visible_teams(user) by name, as a list: a request reads it once (the scope it resolves and the
    scope menu both need it); other callers read it each time."""
    memo = getattr(user, MEMO, None)
    if memo is not None and "teams" in memo:
        return memo["teams"]
    teams = list(visible_teams(user).order_by("name", "pk"))
    if memo is not None:
        memo["teams"] = teams
    return teams


def can_manage(user: User, owner: User) -> bool:
    """May `user` act as the manager of `owner` (reopen, reassign)?"""
    if user.is_admin_role:
        return True
    led = _led_team_ids(user)
    return user.is_manager and Membership.objects.filter(user_id=owner.pk, team_id__in=led).exists()


def role_required(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login required, then one of `roles` (admin always passes)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: User = request.user  # type: ignore[assignment]
            if not (user.is_admin_role or user.role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
manager_required = role_required(Role.MANAGER)
