"""The pure rules of the check: a scope's figures against its target, and the early warning."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from targets.models import (
    Rule,
    Scope,
)
from targets.plans import MIN_HISTORY
from targets.scopes import COMPANY, ScopeKey
from targets.services.rollup import FLOW_DAYS

PROJECTION_DAYS = 30  # the early warning projects the rollup's 90 days of inflow and outflow 30 days ahead


# ------------------------------------------------------------------------------------ pure rules


@dataclass
class Projection:
    current: int
    projected: float  # the count PROJECTION_DAYS from today
    rate_per_day: float
    crosses_on: dt.date | None  # when the line reaches the target, if it falls below it in the window


def project(*, current: int, inflow: int, outflow: int, target: int, today: dt.date) -> Projection:
    """Linear: today + 30 * (in - out) / 90. An early warning when it ends below the target while the
    count today is not below it; the date is the day the line reaches the target, never today: a count
    at its target today falls below it with the next loss, so its warning names tomorrow (#17)."""
    rate = (inflow - outflow) / FLOW_DAYS
    projected = max(0.0, current + PROJECTION_DAYS * rate)  # a count never goes below zero
    crosses_on = None
    if target > 0 and current >= target and projected < target and rate < 0:
        days = math.ceil((current - target) / -rate - 1e-9)
        crosses_on = today + dt.timedelta(days=max(1, days))
    return Projection(current, projected, rate, crosses_on)


# --------------------------------------------------------------------------------------- the check


@dataclass
class Finding:
    key: ScopeKey
    rule: str
    current: int
    target: int
    deficit: int
    projected_date: dt.date | None = None
    plan: dict = field(default_factory=dict)
    inputs: int | None = None  # the fingerprint of the plan's inputs (plan_inputs)
    history: int = 0  # the size of the scope's replenishment history (prospects)


@dataclass
class CheckResult:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    findings: list[Finding] = field(default_factory=list)


# Part of every plan's fingerprint: bump it when replenishment_plan() changes what it writes, so
# that the next check rebuilds every open alert's plan.
PLAN_VERSION = 4  # 3: no source labels; 4: the plan's inputs stored, expanded when shown (targets.plans)


def plan_inputs(history: int, rollup: int, members: int, extra: tuple[float, float, int, int] | None) -> int:
    """The fingerprint of a stored plan's inputs, kept with the alert: a plan is rebuilt (and its JSON
    rewritten) only when this changes. The plan reads the scope's (or, with too little history, the
    company's) source history of the day's rollup: `rollup` identifies that rollup (a new day, or a
    recomputed rollup, rebuilds each plan once), `members` a team's member set (its history is the sum
    of theirs), `history` the scope's history size (which basis). The deficit is not in it: the lead
    numbers are worked out from the alert's deficit when the plan is shown. hash() of ints, floats
    and None is the same in every process (only str/bytes hashing is randomised)."""
    return hash((PLAN_VERSION, MIN_HISTORY, rollup, members, history, extra))


def evaluate(rows: list[tuple], rollup: int, today: dt.date) -> list[Finding]:
    """Every target against its scope's figures (rows of _scope_figures). A finding's plan holds only
    the at-risk extras here; its `inputs` (see plan_inputs) say which full plan it needs, built later
    for those that changed."""
    findings: list[Finding] = []
    append = findings.append
    user, team = Scope.USER.value, Scope.TEAM.value
    r_open, r_short, r_mid, r_long = Rule.OPEN.value, Rule.SHORT.value, Rule.MID.value, Rule.LONG.value
    for (
        uid,
        tid,
        min_open,
        min_short,
        min_mid,
        min_long,
        total,
        short,
        mid,
        long_,
        new,
        out,
        history,
        members,
    ) in rows:
        key = (user, uid, None) if uid else (team, None, tid) if tid else COMPANY
        for rule, minimum, current in (
            (r_open, min_open, total),
            (r_short, min_short, short),
            (r_mid, min_mid, mid),
            (r_long, min_long, long_),
        ):
            if minimum is not None and current < minimum:
                deficit = minimum - current
                inputs = plan_inputs(history, rollup, members, None)
                append(Finding(key, rule, current, minimum, deficit, None, {}, inputs, history))
        if min_open is not None and new < out and total >= min_open:
            p = project(current=total, inflow=new, outflow=out, target=min_open, today=today)
            if p.crosses_on is not None:
                deficit = max(1, math.ceil(min_open - p.projected - 1e-9))
                extra = {
                    "projected": round(p.projected, 1),
                    "rate_per_day": round(p.rate_per_day, 4),
                    "inflow": new,
                    "outflow": out,
                }
                inputs = plan_inputs(history, rollup, members, tuple(extra.values()))
                append(
                    Finding(
                        key,
                        Rule.AT_RISK.value,
                        total,
                        min_open,
                        deficit,
                        p.crosses_on,
                        extra,
                        inputs,
                        history,
                    )
                )
    return findings
