"""Writes to prospects. Every change goes through here: optimistic lock, history, follow-up jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from prospects.models import EXTERNAL_ID_UNIQUE, Prospect, suggest_horizon
from prospects.signals import pipeline_changed_send, prospect_changed_send
from salescrm.lib.relations import loaded_relations

CONFLICT_MESSAGE = _(
    "Your changes were not saved: someone else saved this prospect after you opened it. "
    "Their changes are shown below; review them and save again."
)

# Fields a user may change through prospect_update; status and the outcome go through the closing app.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "contact_person",
        "phone",
        "email",
        "address",
        "source",
        "lead_activity",
        "owner",
        "horizon",
        "probability",
        "expected_month",
        "amount",
        "notes",
        "company",
        "contact",
        "product",
        "external_id",
    }
)


@dataclass
class ProspectConflict(Exception):
    """The row moved on since `expected_version`; `current` is the row as it is now."""

    current: Prospect
    expected_version: int | None

    def __str__(self) -> str:
        return str(CONFLICT_MESSAGE)


@contextmanager
def _external_id_savepoint() -> Iterator[None]:
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != EXTERNAL_ID_UNIQUE.name:
            raise
        raise ValidationError(
            {"external_id": [EXTERNAL_ID_UNIQUE.get_violation_error_message()]},
            code=EXTERNAL_ID_UNIQUE.violation_error_code,
        ) from exc


def _external_id_guard(external_id: str) -> AbstractContextManager[None]:
    """A write that sets an external ID runs in a savepoint: another prospect that took the same ID
    since the form checked it is a ValidationError on external_id (the form's error), not a 500.
    Without one, no savepoint: the writes that make most of the traffic pay nothing."""
    return _external_id_savepoint() if external_id else nullcontext()


def prospect_create(*, by: User, owner: User | None = None, **fields: Any) -> Prospect:
    """A new prospect. Raises ValidationError on external_id when another prospect has its external ID."""
    prospect = Prospect(owner=owner or by, **fields)
    # The DB enforces the constraints (see ProspectForm) and the foreign keys: a related record given
    # as one read from the database needs no existence query.
    prospect.full_clean(exclude=loaded_relations(prospect), validate_constraints=False)
    with _external_id_guard(prospect.external_id):
        prospect.save()
    pipeline_changed_send(owner_ids=[prospect.owner_id])
    prospect_changed_send(prospect=prospect, change="created")
    return prospect


@transaction.atomic
def prospect_update(
    *, prospect: Prospect, by: User, expected_version: int | None, **changes: Any
) -> Prospect:
    """Apply `changes` if nobody saved since `expected_version`; else raise ProspectConflict. A new
    external ID another prospect has raises ValidationError on external_id.

    `prospect` holds the values the user saw (loaded at expected_version), so the slip count can
    compare the old and new expected month without another read.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "expected_month" in changes and "horizon" not in changes and prospect.horizon_follows_month:
        # A horizon that followed the old month follows the new one (the board's quick edit, bulk
        # edits); a form that shows the horizon sends the one the rep chose.
        changes["horizon"] = suggest_horizon(changes["expected_month"])
    old = {key: getattr(prospect, key) for key in changes}
    changes = {key: value for key, value in changes.items() if old[key] != value}
    old_owner_id = prospect.owner_id
    for key, value in changes.items():
        setattr(prospect, key, value)
    # The DB enforces the constraints (see ProspectForm) and the foreign keys; an unchanged owner or
    # origin needs no existence query.
    unchanged_fks = [
        name
        for name in ("owner", "origin", "lead_activity", "company", "contact", "product")
        if name not in changes
    ]
    prospect.full_clean(exclude=unchanged_fks, validate_constraints=False)
    updates: dict[str, Any] = dict(changes)
    if "expected_month" in changes:
        old_month, new_month = old["expected_month"], changes["expected_month"]
        if old_month and (new_month is None or new_month > old_month):
            updates["expected_month_slips"] = F("expected_month_slips") + 1
    updates["version"] = F("version") + 1
    updates["updated_at"] = timezone.now()
    # The conditional UPDATE is the lock: 0 rows means someone else saved first. No version (a form
    # posted without one) is never the current one: a conflict, never "whatever is there now".
    matching = Prospect.objects.filter(pk=prospect.pk, version=expected_version)
    with _external_id_guard(changes.get("external_id", "")):
        count = matching.update(**updates) if expected_version else 0
    if count == 0:
        current = Prospect.objects.select_related("owner").get(pk=prospect.pk)
        raise ProspectConflict(current=current, expected_version=expected_version)
    if prospect.version == expected_version:
        # The row was the one `prospect` was loaded from (the UPDATE matched its version), so it now
        # holds exactly these values: no need to read it back.
        prospect.version = expected_version + 1
        prospect.updated_at = updates["updated_at"]
        if "expected_month_slips" in updates:
            prospect.expected_month_slips += 1
    else:
        prospect.refresh_from_db()
    if "owner" in changes:
        pipeline_changed_send(owner_ids=[old_owner_id, prospect.owner_id])
    if changes:
        prospect_changed_send(prospect=prospect, change="updated")
    return prospect
