"""The replenishment plan: from which sources, and how many new leads from each, a deficit would be
covered, learnt from the scope's source history (or the company's, when the scope has too little).

An alert stores what its plan is built from, not the plan itself: the basis, the history size and the
source table (per source: created, kept, won, lost), plus the early warning's figures for an at-risk
alert. `expand()` turns that into the plan, with the alert's current deficit, when it is shown. So a
count that moves by one changes the deficit and the plan's lead numbers without rewriting the plan,
and a check that opens 1,000 alerts writes ~200 bytes of plan each instead of ~1 kB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MIN_HISTORY = 10  # fewer prospects than this in a scope's history: use the company's figures
_STORED = ("basis", "history", "table")  # the keys of a stored plan; any other key is an extra


@dataclass
class SourceStats:
    created: int = 0
    kept: int = 0
    won: int = 0
    lost: int = 0

    def add(self, other: SourceStats) -> None:
        self.created += other.created
        self.kept += other.kept
        self.won += other.won
        self.lost += other.lost


class SourceTable(dict):
    """source -> SourceStats, summable across owners."""

    def add(self, other: SourceTable) -> None:
        for source, stats in other.items():
            self.setdefault(source, SourceStats()).add(stats)

    @property
    def created(self) -> int:
        return sum(s.created for s in self.values())


def stored(scope_table: SourceTable, company_table: SourceTable) -> dict[str, Any]:
    """What an alert keeps of its plan: the basis (the scope's history, or the company's when the
    scope has fewer than MIN_HISTORY prospects in it), the scope's history size and the source table
    the plan reads."""
    return stored_from(scope_table.created, table_json(scope_table), table_json(company_table))


def stored_from(history: int, scope_table: dict[str, list[int]], company_table: dict[str, list[int]]) -> dict:
    """stored() from source tables already in their stored form (the check builds them from its
    history vectors)."""
    basis, table = ("scope", scope_table) if history >= MIN_HISTORY else ("company", company_table)
    return {"basis": basis, "history": history, "table": table}


def table_json(table: SourceTable) -> dict[str, list[int]]:
    return {source: [s.created, s.kept, s.won, s.lost] for source, s in table.items() if s.created}


def expand(plan: dict[str, Any], deficit: int) -> dict[str, Any]:
    """The plan to show for a stored plan and the alert's deficit. A plan written before plans were
    stored this way (it has "sources") is returned as it is; an empty one stays empty."""
    if "table" not in plan:
        if not plan.get("sources"):
            return plan
        return {**plan, "sources": [{**_shown(s), **s} for s in plan["sources"]]}
    table = SourceTable({source: SourceStats(*figures) for source, figures in plan["table"].items()})
    full = build(deficit, table, plan["basis"], plan["history"])
    full.update((k, v) for k, v in plan.items() if k not in _STORED)
    return full


def _shown(source: dict[str, Any]) -> dict[str, Any]:
    """The display figures of an older stored plan's source (which has yield and win_rate only)."""
    win_rate = source.get("win_rate")
    return {
        "yield_pct": round(source.get("yield", 0) * 100),
        "win_rate_pct": None if win_rate is None else round(win_rate * 100),
        "decided": source.get("won", 0) + source.get("lost", 0),
    }


def build(deficit: int, table: SourceTable, basis: str, history: int) -> dict[str, Any]:
    """Per source with history: its yield (share still open or won after 30 days), its win rate
    (won / (won + lost)) and deficit / yield rounded up; the best first (highest yield, then win
    rate, then name)."""
    sources = []
    for source, s in table.items():
        if not s.created:
            continue
        yield_rate = s.kept / s.created
        decided = s.won + s.lost
        sources.append(
            {
                "source": source,
                "created": s.created,
                "kept": s.kept,
                "yield": round(yield_rate, 4),
                "won": s.won,
                "lost": s.lost,
                "win_rate": round(s.won / decided, 4) if decided else None,
                "leads": math.ceil(deficit / yield_rate - 1e-9) if yield_rate > 0 and deficit > 0 else None,
                # As shown: whole percents (as {% widthratio %} rounded them) and won + lost.
                "yield_pct": round(yield_rate * 100),
                "win_rate_pct": round(s.won / decided * 100) if decided else None,
                "decided": decided,
            }
        )
    # No "best source" is picked from a handful of prospects: the plan to act on is counted in lead
    # activities from their yields (activities.yields.alert_plan); this table is the background.
    sources.sort(key=lambda s: (-s["yield"], -(s["win_rate"] or 0), s["source"]))
    return {
        "deficit": deficit,
        "basis": basis,
        "history": history,
        "min_history": MIN_HISTORY,
        "insufficient_history": history < MIN_HISTORY,
        "sources": sources,
    }


def replenishment_plan(deficit: int, scope_table: SourceTable, company_table: SourceTable) -> dict[str, Any]:
    """How many new leads from which source would cover `deficit` (see build), from the scope's
    history or, with fewer than MIN_HISTORY prospects in it, the company's."""
    return expand(stored(scope_table, company_table), deficit)
