"""Changes to many prospects in one step: a manager's bulk edit from the list, and 担当替え (every open
prospect of a leaving rep to another rep). Each changed row is a history event with the acting user and
a new version, as prospect_update makes one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pghistory
from django.db import transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from prospects.models import Horizon, Prospect
from prospects.signals import pipeline_changed_send, prospects_updated_send

# How many rows one bulk step may change: a page of the list holds 25; an import is the tool for more.
MAX_BULK = 500
INACTIVE_OWNER_MESSAGE = _("The new owner's account is inactive.")


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    # Changed by someone else since the list was shown (or closed since): left as they are.
    conflicts: list[Prospect] = field(default_factory=list)
    # Not among the open prospects `by` may see: ignored.
    missing: int = 0


def _apply(*, seen: dict[int, int], by: User, updates: dict) -> tuple[BulkResult, set[int]]:
    """Lock the rows `by` may see among `seen` (id -> the version the list showed), update the ones
    still at that version and open, report the others. Returns the result and the owners touched."""
    result = BulkResult()
    rows = list(
        Prospect.objects.visible_to(by)
        .filter(pk__in=list(seen)[:MAX_BULK])
        .select_for_update(of=("self",))
        .select_related("owner")
        .order_by("pk")
    )
    result.missing = len(seen) - len(rows)
    ok = []
    for p in rows:
        if p.version != seen[p.pk] or not p.is_open:
            result.conflicts.append(p)
        else:
            ok.append(p)
    if ok:
        with pghistory.context(user=by.pk, action="prospect_bulk"):
            Prospect.objects.filter(pk__in=[p.pk for p in ok]).update(
                **updates, version=F("version") + 1, updated_at=timezone.now()
            )
        result.changed = [p.pk for p in ok]
        prospects_updated_send(prospect_ids=result.changed)
    return result, {p.owner_id for p in ok}


@transaction.atomic
def prospects_bulk_reassign(*, seen: dict[int, int], owner: User, by: User) -> BulkResult:
    """Give the prospects in `seen` to `owner` (an active user `by` may hand work to)."""
    from accounts.access import visible_users

    if not owner.is_active:
        raise ValueError(str(INACTIVE_OWNER_MESSAGE))
    if not visible_users(by).filter(pk=owner.pk).exists():
        raise ValueError("the new owner is not someone `by` may hand work to")
    result, owners = _apply(seen=seen, by=by, updates={"owner": owner})
    if result.changed:
        pipeline_changed_send(owner_ids=[*owners, owner.pk])
    return result


@transaction.atomic
def prospects_bulk_set_horizon(*, seen: dict[int, int], horizon: str, by: User) -> BulkResult:
    if horizon not in Horizon.values:
        raise ValueError(f"unknown horizon {horizon!r}")
    result, owners = _apply(seen=seen, by=by, updates={"horizon": horizon})
    if result.changed:
        pipeline_changed_send(owner_ids=owners)
    return result


@transaction.atomic
def prospects_bulk_set_expected_month(*, seen: dict[int, int], month: dt.date | None, by: User) -> BulkResult:
    """A later month (or none) counts as a slip for each row that had an earlier one, as in
    prospect_update."""
    if month is not None and month.day != 1:
        raise ValueError("a month is the first day of the month")
    slipped = Q(expected_month__isnull=False) if month is None else Q(expected_month__lt=month)
    result, _owners = _apply(
        seen=seen,
        by=by,
        updates={
            "expected_month": month,
            "expected_month_slips": Case(
                When(slipped, then=F("expected_month_slips") + 1),
                default=F("expected_month_slips"),
                output_field=PositiveSmallIntegerField(),
            ),
        },
    )
    return result


@transaction.atomic
def prospects_reassign_open(*, from_owner: User, to_owner: User, by: User) -> int:
    """担当替え: every open prospect of `from_owner` to `to_owner` in one statement (each row still
    gets its history event, a new version and its prospect.updated webhook). Returns how many moved."""
    if not to_owner.is_active:
        raise ValueError(str(INACTIVE_OWNER_MESSAGE))
    if from_owner.pk == to_owner.pk:
        return 0
    rows = Prospect.objects.open().filter(owner=from_owner).select_for_update(of=("self",))
    moved_ids = list(rows.order_by("pk").values_list("pk", flat=True))
    with pghistory.context(user=by.pk, action="prospect_reassign_open", from_owner=from_owner.pk):
        moved = Prospect.objects.filter(pk__in=moved_ids).update(
            owner=to_owner, version=F("version") + 1, updated_at=timezone.now()
        )
    if moved:
        pipeline_changed_send(owner_ids=[from_owner.pk, to_owner.pk])
        prospects_updated_send(prospect_ids=moved_ids)  # webhooks: one prospect.updated each
    return moved
