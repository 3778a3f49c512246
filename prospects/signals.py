"""The one signal the prospects app sends, so that apps built on it react without prospects knowing them.

`pipeline_changed(owner_ids=[...])`: the open pipeline of these owners changed (a prospect created,
reassigned, won, lost, reopened or imported). Sent inside the writing transaction by
`pipeline_changed_send`; a receiver that starts background work defers it to the commit
(`salescrm.lib.jobs.enqueue_on_commit`), so a rolled-back change asks for nothing. The targets app
listens (targets/apps.py) and re-checks the pipeline targets.

`prospect_changed(prospect=..., change=...)`: one prospect was created, updated, won, lost or reopened
(`change` is that word), sent once per change by the service that made it (prospects.services,
closing.services), inside its transaction, with the prospect as saved. The webhooks app listens.
`prospects_updated(prospect_ids=[...], change="updated")`: many prospects updated in one statement: a
manager's bulk edit and 担当替え of a leaving rep's open prospects (prospects.bulk), and the rows an import
changed (`change` "won" or "lost" for the rows it closed, as prospect_changed says it).
`prospects_created(prospect_ids=[...])`: the prospects an import created (imports.services.run).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

pipeline_changed = Signal()  # keyword argument: owner_ids (a sorted list of user ids, never empty)
prospect_changed = Signal()  # keyword arguments: prospect, change (PROSPECT_CHANGES)
prospects_updated = Signal()  # keyword arguments: prospect_ids (a list, never empty), change
prospects_created = Signal()  # keyword argument: prospect_ids (a list, never empty)

PROSPECT_CHANGES = ("created", "updated", "won", "lost", "reopened")


def pipeline_changed_send(*, owner_ids: Iterable[int | None]) -> None:
    """Tell the listeners that these owners' pipelines changed (None and repeated ids are dropped)."""
    ids = sorted({i for i in owner_ids if i})
    if ids:
        pipeline_changed.send(sender=pipeline_changed_send, owner_ids=ids)


def prospect_changed_send(*, prospect: Any, change: str) -> None:
    """Tell the listeners that this prospect changed (`change`: one of PROSPECT_CHANGES)."""
    if change not in PROSPECT_CHANGES:
        raise ValueError(f"unknown prospect change: {change}")
    prospect_changed.send(sender=prospect_changed_send, prospect=prospect, change=change)


def prospects_updated_send(*, prospect_ids: list[int], change: str = "updated") -> None:
    """Tell the listeners that a bulk edit or an import updated these prospects (`change`: updated, or
    won / lost for the ones it closed); nothing for an empty list."""
    if change not in ("updated", "won", "lost"):
        raise ValueError(f"not a change of many prospects: {change}")
    if prospect_ids:
        prospects_updated.send(sender=prospects_updated_send, prospect_ids=list(prospect_ids), change=change)


def prospects_created_send(*, prospect_ids: list[int]) -> None:
    """Tell the listeners that an import created these prospects (nothing for an empty list)."""
    if prospect_ids:
        prospects_created.send(sender=prospects_created_send, prospect_ids=list(prospect_ids))
