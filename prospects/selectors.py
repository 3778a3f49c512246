"""Permission-aware reads of prospects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from prospects.models import Prospect


def access_prospect(user: User, pk: Any, *, for_update: bool = False) -> Prospect:
    """The prospect if `user` may see it; 404 otherwise (also for malformed ids), so ids never leak."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    qs = Prospect.objects.visible_to(user).select_related("owner")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except Prospect.DoesNotExist:
        raise Http404 from None


@dataclass
class Change:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class TimelineEntry:
    at: datetime
    label: str
    user: User | None
    version: int
    changes: list[Change] = field(default_factory=list)


HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "expected_month_slips"}


def _display(prospect_field, value: Any, users: dict[int, User]) -> Any:
    if value is None or value == "":
        return "—"
    if prospect_field.name == "owner":
        user = users.get(value)
        return user.display_name if user else value
    if prospect_field.choices:
        return dict(prospect_field.flatchoices).get(value, value)
    return value


def prospect_timeline(prospect: Prospect) -> list[TimelineEntry]:
    """Every recorded change of the prospect, newest first: who, when, old -> new (from pghistory)."""
    events = list(prospect.events.order_by("-pgh_id").select_related("pgh_context"))
    if not events:  # rows written without the history triggers (bulk loads, restores) have none
        return []
    fields = {f.attname: f for f in Prospect._meta.concrete_fields}
    user_ids: set[int] = set()
    for event in events:
        ctx = event.pgh_context.metadata if event.pgh_context_id else {}
        if ctx.get("user"):
            user_ids.add(ctx["user"])
        user_ids.add(event.owner_id)
    # The owner is usually the only user named (select_related by access_prospect): no query then.
    owner = prospect.owner if Prospect.owner.is_cached(prospect) else None
    users = {owner.pk: owner} if owner is not None else {}
    if user_ids - users.keys():
        users.update(User.objects.in_bulk(user_ids - users.keys()))
    labels = {"insert": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
    entries: list[TimelineEntry] = []
    for newer, older in zip(events, [*events[1:], None], strict=True):
        ctx = newer.pgh_context.metadata if newer.pgh_context_id else {}
        entry = TimelineEntry(
            at=newer.pgh_created_at,
            label=labels.get(newer.pgh_label, newer.pgh_label),
            user=users.get(ctx.get("user")),
            version=newer.version,
        )
        if older is not None:
            for attname, model_field in fields.items():
                if attname in HIDDEN_FIELDS:
                    continue
                old, new = getattr(older, attname), getattr(newer, attname)
                if old != new:
                    entry.changes.append(
                        Change(
                            attname,
                            str(model_field.verbose_name),
                            _display(model_field, old, users),
                            _display(model_field, new, users),
                        )
                    )
            if not entry.changes and newer.pgh_label == "update":
                continue
        entries.append(entry)
    return entries


def conflict_changes(current: Prospect, expected_version: int) -> list[TimelineEntry]:
    """What others saved after `expected_version`: the timeline entries the user has not seen."""
    return [entry for entry in prospect_timeline(current) if entry.version > expected_version]
