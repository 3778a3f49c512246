"""Permission-aware reads of prospects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _

from accounts.access import manager_owner_ids_sql
from accounts.models import User
from prospects.models import Prospect


def access_prospect(user: User, pk: Any, *, for_update: bool = False) -> Prospect:
    """The prospect (with its owner) if `user` may see it; 404 otherwise (also for malformed ids), so
    ids never leak."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not for_update:
        return _visible_prospect(user, pk)
    qs = Prospect.objects.visible_to(user).select_related("owner").select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except Prospect.DoesNotExist:
        raise Http404 from None


_OWNER_PREFIX = "owner__"


def _visible_prospect(user: User, pk: int) -> Prospect:
    """access_prospect's read, written out (a raw query of the prospect and its owner): compiling the
    visibility filter and select_related cost ~0.6 ms of CPU on every prospect page and action.
    tests/access pins the same answers as Prospect.objects.visible_to for every role."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    users = User._meta.db_table
    owner_fields = [(f.attname, f.column) for f in User._meta.concrete_fields]
    select = ", ".join(["p.*", *(f'u."{c}" AS "{_OWNER_PREFIX}{c}"' for _a, c in owner_fields)])
    sql = f"SELECT {select} FROM {Prospect._meta.db_table} p JOIN {users} u ON u.id = p.owner_id WHERE p.id = %s"
    params: list[Any] = [pk]
    if user.is_manager and not user.is_admin_role:
        subquery, sub_params = manager_owner_ids_sql(user).sql, manager_owner_ids_sql(user).params
        sql += f" AND p.owner_id IN ({subquery})"
        params += list(sub_params)
    elif not user.is_admin_role:
        sql += " AND p.owner_id = %s"
        params.append(user.pk)
    found = list(Prospect.objects.raw(sql, params))
    if not found:
        raise Http404
    prospect = found[0]
    owner = User.from_db(
        prospect._state.db,
        [a for a, _c in owner_fields],
        [prospect.__dict__.pop(_OWNER_PREFIX + c) for _a, c in owner_fields],
    )
    Prospect.owner.field.set_cached_value(prospect, owner)
    return prospect


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
