"""Pipeline targets created, changed and deleted."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from salescrm.lib.jobs import enqueue_on_commit
from targets.models import (
    PipelineTarget,
)
from targets.scopes import ScopeKey, target_for_key

TARGET_FIELDS = ("min_open", "min_short", "min_mid", "min_long", "sales_target")


def pipeline_target_save(*, key: ScopeKey, by: User, **values: Any) -> PipelineTarget | None:
    """Create, change or (all values empty) delete a scope's target, then re-check after the commit.
    The history is recorded by pghistory."""
    from targets.tasks import check_pipeline_targets

    _kind, uid, tid = key
    with transaction.atomic():
        target = target_for_key(key)
        if all(values.get(f) is None for f in TARGET_FIELDS):
            if target is not None:
                target.delete()
            target = None
        else:
            target = target or PipelineTarget(user_id=uid, team_id=tid)
            for name in TARGET_FIELDS:
                setattr(target, name, values.get(name))
            target.full_clean()
            target.save()
        enqueue_on_commit(check_pipeline_targets, owner_ids=None)
    return target
