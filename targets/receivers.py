"""What the targets app does when the prospects app announces a change (prospects.signals)."""

from __future__ import annotations

from typing import Any

from salescrm.lib.jobs import enqueue_on_commit


def pipeline_check_request(*, owner_ids: list[int], **_kwargs: Any) -> None:
    """A pipeline changed: re-check the targets (these owners, their teams, the company) after the commit."""
    from targets.tasks import check_pipeline_targets

    enqueue_on_commit(check_pipeline_targets, owner_ids=owner_ids)
