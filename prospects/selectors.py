"""Permission-aware reads of prospects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from prospects.models import Prospect
from salescrm.lib.params import parse_id
from salescrm.templatetags.crm import (
    format_money,
    format_month,
    format_percent,
    format_short_date,
    format_short_datetime,
)

if TYPE_CHECKING:
    from prospects.forms import ProspectFilterForm


def access_prospect(user: User, pk: Any, *, for_update: bool = False) -> Prospect:
    """The prospect (with its owner) if `user` may see it (Prospect.objects.visible_to); 404 otherwise
    (also for malformed ids), so ids never leak."""
    pk = parse_id(pk)
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
    reason: str = ""  # why, when the change said so (a reopening)


HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "expected_month_slips"}


def _display(prospect_field, value: Any, users: dict[int, User], related: dict | None = None) -> Any:
    """A recorded value as the rest of the UI shows it: one formatter per kind of field (the template
    filters' own functions), so the history reads ¥1,080,000, 2027年1月 and 40%, not raw values; a
    linked row (company, contact) by its name, from `related` ({attname: {pk: row}})."""
    if value is None or value == "":
        return "—"
    if prospect_field.name == "owner":
        user = users.get(value)
        return user.display_name if user else value
    if prospect_field.is_relation:
        row = (related or {}).get(prospect_field.attname, {}).get(value)
        return str(row) if row is not None else _("(deleted, ID %(id)s)") % {"id": value}
    if prospect_field.choices:
        return dict(prospect_field.flatchoices).get(value, value)
    formatter = _FORMATTERS.get(prospect_field.name) or _KIND_FORMATTERS.get(type(prospect_field))
    return formatter(value) if formatter else value


# Fields whose kind alone does not say how they are shown (a month is a DateField; a percentage an integer).
_FORMATTERS = {"expected_month": format_month, "probability": format_percent}
_KIND_FORMATTERS = {
    models.DecimalField: format_money,
    models.DateField: format_short_date,
    models.DateTimeField: format_short_datetime,
}


def prospect_timeline_page(prospect: Prospect, limit: int | None) -> tuple[list[TimelineEntry], bool]:
    """The newest `limit` recorded events of the prospect as timeline entries (all of them with None),
    and whether older ones were left out. One event more is read: the oldest shown is diffed with it."""
    events = prospect.events.order_by("-pgh_id").select_related("pgh_context")
    if limit is None:
        return _timeline(prospect, list(events)), False
    read = list(events[: limit + 1])
    return _timeline(prospect, read, shown=limit), len(read) > limit


def prospect_timeline(prospect: Prospect) -> list[TimelineEntry]:
    """Every recorded change of the prospect, newest first: who, when, old -> new (from pghistory)."""
    return _timeline(prospect, list(prospect.events.order_by("-pgh_id").select_related("pgh_context")))


def _timeline(prospect: Prospect, events: list, shown: int | None = None) -> list[TimelineEntry]:
    """Timeline entries of the first `shown` of `events` (newest first; all by default), each with what
    changed since the event after it."""
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
    related = _linked_rows(events, fields)
    labels = {"insert": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
    entries: list[TimelineEntry] = []
    for newer, older in list(zip(events, [*events[1:], None], strict=True))[:shown]:
        ctx = newer.pgh_context.metadata if newer.pgh_context_id else {}
        entry = TimelineEntry(
            at=newer.pgh_created_at,
            label=_("Reopened") if ctx.get("reopen_reason") else labels.get(newer.pgh_label, newer.pgh_label),
            user=users.get(ctx.get("user")),
            version=newer.version,
            reason=ctx.get("reopen_reason") or "",
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
                            _display(model_field, old, users, related),
                            _display(model_field, new, users, related),
                        )
                    )
            entry.changes += _legacy_changes(older, newer)
            if not entry.changes and newer.pgh_label == "update":
                continue
        entries.append(entry)
    return entries


def _linked_rows(events: list, fields: dict) -> dict[str, dict[int, Any]]:
    """The rows the events link to other than the owner (company, contact, ...), one query per kind,
    and only when the link changed somewhere in the events."""
    related: dict[str, dict[int, Any]] = {}
    for attname, model_field in fields.items():
        if not model_field.is_relation or model_field.name == "owner":
            continue
        values = {getattr(event, attname) for event in events}
        if len(values) > 1:
            related[attname] = model_field.related_model._default_manager.in_bulk(values - {None})
    return related


# The removed "next action" field (prospects 0022): its recorded values stay on the events written
# before, NULL on later ones; a change between two events that both hold it is shown as it was.
LEGACY_EVENT_FIELDS = ("next_action", "next_action_on")


def _legacy_changes(older, newer) -> list[Change]:
    """The next action's changes between two events written while the field existed (its text column
    was never NULL then)."""
    if older.next_action is None or newer.next_action is None:
        return []
    changes = []
    for attname in LEGACY_EVENT_FIELDS:
        old, new = getattr(older, attname), getattr(newer, attname)
        if old != new:
            event_field = type(newer)._meta.get_field(attname)
            label = str(event_field.verbose_name)
            changes.append(
                Change(attname, label, _display(event_field, old, {}), _display(event_field, new, {}))
            )
    return changes


def conflict_changes(current: Prospect, expected_version: int | None) -> list[TimelineEntry]:
    """What others saved after `expected_version`: the timeline entries the user has not seen."""
    return [entry for entry in prospect_timeline(current) if entry.version > (expected_version or 0)]


# --- The prospect list ---------------------------------------------------------------------------


class RowOwner:
    """The owner of a prospect read as a plain row: what the rows show of them (pipeline's cards too)."""

    __slots__ = ("display_name", "pk")

    def __init__(self, pk: int, display_name: str) -> None:
        self.pk = pk
        self.display_name = display_name


# What the list and its exports show: the rest of a prospect (notes, address, outcome...) is not read.
LIST_FIELDS = (
    "name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
    "horizon",
    "probability",
    "expected_month",
    "amount",
    "source",
    "status",
    "version",  # a manager's bulk change names the version each row was shown at
)


def prospect_list_queryset(viewer: User, form: ProspectFilterForm) -> QuerySet[Prospect]:
    """The prospects `viewer` may see that match the list's filter form (none when it is not valid),
    in its order, with their owners and only the listed columns."""
    from activities.selectors import next_activity_columns

    # Each row's next planned activity: subqueries of the page's own query (no query per row).
    visible = (
        Prospect.objects.visible_to(viewer)
        .select_related("owner")
        .only(*LIST_FIELDS)
        .annotate(**next_activity_columns())
    )
    return form.filter(visible) if form.is_valid() else visible.none()
