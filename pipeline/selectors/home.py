"""The rep's home page: their open prospects per horizon."""

from __future__ import annotations

from accounts.models import User
from pipeline.selectors.rules import HORIZONS
from prospects.counts import counts_by_owner


def horizon_counts(owner: User) -> dict[str, int]:
    """The owner's open prospects per horizon, from the trigger-kept counts (prospects.counts)."""
    _total, *per_horizon = counts_by_owner([owner.pk]).get(owner.pk, (0, 0, 0, 0))
    return dict(zip(HORIZONS, per_horizon, strict=True))  # counts_by_owner: total, short, mid, long
