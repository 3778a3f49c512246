"""Scopes (a rep, a team, the whole company) as keys, their targets and their open counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from prospects.counts import counts_by_owner
from salescrm.lib.params import parse_key
from targets.models import (
    PipelineTarget,
    Rule,
    Scope,
)

# A scope key: ("user", user_id, None), ("team", None, team_id) or ("company", None, None).
ScopeKey = tuple[str, int | None, int | None]
COMPANY: ScopeKey = (Scope.COMPANY.value, None, None)


def user_key(user_id: int) -> ScopeKey:
    return (Scope.USER.value, user_id, None)


def team_key(team_id: int) -> ScopeKey:
    return (Scope.TEAM.value, None, team_id)


def parse_scope_key(text: str) -> ScopeKey | None:
    """'company', 'team-3', 'user-5' -> a scope key; None when malformed."""
    if text == "company":
        return COMPANY
    parsed = parse_key(text, (Scope.USER.value, Scope.TEAM.value))
    if parsed is None:
        return None
    kind, pk = parsed
    return user_key(pk) if kind == Scope.USER else team_key(pk)


def scope_key_text(key: ScopeKey) -> str:
    kind, uid, tid = key
    return "company" if kind == Scope.COMPANY else f"{kind}-{uid or tid}"


def target_key(target: PipelineTarget) -> ScopeKey:
    return target_key_of(target.user_id, target.team_id)


def target_key_of(user_id: int | None, team_id: int | None) -> ScopeKey:
    if user_id:
        return user_key(user_id)
    if team_id:
        return team_key(team_id)
    return COMPANY


@dataclass
class Counts:
    total: int = 0
    short: int = 0
    mid: int = 0
    long: int = 0

    def add(self, other: Counts) -> None:
        self.total += other.total
        self.short += other.short
        self.mid += other.mid
        self.long += other.long

    def get(self, rule: str) -> int:
        return self.total if rule in (Rule.OPEN, Rule.AT_RISK) else getattr(self, rule)


# ---------------------------------------------------------------------------------------------- reads


def open_counts_by_owner() -> dict[int, Counts]:
    """ONE query over the trigger-kept OpenCount rows: open prospects per owner and horizon."""
    return {
        owner_id: Counts(total=total, short=short, mid=mid, long=long)
        for owner_id, (total, short, mid, long) in counts_by_owner().items()
    }


def scope_owner_ids(key: ScopeKey, memberships: dict[int, set[int]]) -> set[int] | None:
    """The owners whose prospects count for a scope; None means everyone (the company)."""
    kind, uid, tid = key
    if kind == Scope.USER:
        return {uid}  # type: ignore[arg-type]
    if kind == Scope.TEAM:
        return set(memberships.get(tid, set()))  # type: ignore[arg-type]
    return None


def sum_for(per_owner: dict[int, Any], owners: set[int] | None, factory: Any) -> Any:
    """Sum per-owner values (objects with .add) over a scope's owners (all of them for None)."""
    total = factory()
    # Walk the scope's own owners, not every owner: 11,000 scopes x 10,000 reps was 10^8 steps (24 s).
    values = per_owner.values() if owners is None else (per_owner[o] for o in owners if o in per_owner)
    for value in values:
        total.add(value)
    return total


def scope_counts(
    keys: Iterable[ScopeKey], by_owner: dict[int, Counts], memberships: dict[int, set[int]]
) -> dict[ScopeKey, Counts]:
    """A team's count is the sum of its members'; the company's is all open prospects."""
    return {key: sum_for(by_owner, scope_owner_ids(key, memberships), Counts) for key in keys}


# A scope's source history is a flat list of ints (created, kept, won, lost per source), summed
# column-wise for a team: a dataclass or dict per source and owner, summed over 11,000 scopes, was


def target_for_key(key: ScopeKey) -> PipelineTarget | None:
    kind, uid, tid = key
    if kind == Scope.USER:
        return PipelineTarget.objects.filter(user_id=uid).first()
    if kind == Scope.TEAM:
        return PipelineTarget.objects.filter(team_id=tid).first()
    return PipelineTarget.objects.filter(user__isnull=True, team__isnull=True).first()
