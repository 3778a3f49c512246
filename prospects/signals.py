"""The one signal the prospects app sends, so that apps built on it react without prospects knowing them.

`pipeline_changed(owner_ids=[...])`: the open pipeline of these owners changed (a prospect created,
reassigned, won, lost, reopened or imported). Sent inside the writing transaction by
`pipeline_changed_send`; a receiver that starts background work defers it to the commit
(`salescrm.lib.jobs.enqueue_on_commit`), so a rolled-back change asks for nothing. The targets app
listens (targets/apps.py) and re-checks the pipeline targets.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

pipeline_changed = Signal()  # keyword argument: owner_ids (a sorted list of user ids, never empty)


def pipeline_changed_send(*, owner_ids: Iterable[int | None]) -> None:
    """Tell the listeners that these owners' pipelines changed (None and repeated ids are dropped)."""
    ids = sorted({i for i in owner_ids if i})
    if ids:
        pipeline_changed.send(sender=pipeline_changed_send, owner_ids=ids)
