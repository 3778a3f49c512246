"""The audit trail of accounts: who changed a user (role, activation, staff rights, name, e-mail), a team
or a team's members and managers, and when. The rows are pghistory's events (database triggers, so a
change in the Django admin, in the app or in a shell is recorded alike); the acting user is the request's
history context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

from accounts.models import Role, Team, TeamEvent, TeamManagerEvent, TeamMemberEvent, User, UserEvent
from salescrm.lib.formrules import CrmForm

# What an entry is about: the filter's choices and the event models behind each.
KINDS: dict[str, tuple[Any, tuple[type, ...]]] = {
    "user": (_("Users"), (UserEvent,)),
    "team": (_("Teams"), (TeamEvent,)),
    "membership": (_("Team members and managers"), (TeamMemberEvent, TeamManagerEvent)),
}
LABELS = {
    "insert": _("created"),
    "update": _("changed"),
    "member.add": _("added to the team"),
    "member.remove": _("removed from the team"),
    "manager.add": _("made a manager of the team"),
    "manager.remove": _("no longer a manager of the team"),
}
FIELD_LABELS = {
    "username": _("Username"),
    "email": _("E-mail"),
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "role": _("Role"),
    "is_active": _("Active"),
    "is_staff": _("Django admin access"),
    "is_superuser": _("Superuser"),
    "name": _("Team name"),
}
PAGE_SIZE = 50


class AuditFilterForm(CrmForm):
    actor = forms.ModelChoiceField(label=_("Changed by"), queryset=User.objects.all(), required=False)
    kind = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything")), *((k, v[0]) for k, v in KINDS.items())],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].empty_label = _("Anyone")


@dataclass(frozen=True)
class AuditEntry:
    at: dt.datetime
    actor: User | None
    kind: str
    action: str
    subject: str
    changes: list[tuple[str, str, str]]  # (field label, old, new)


def audit_events(
    *,
    actor: User | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """The matching events, newest first (pghistory's Events across the account tables)."""
    models = [m for k, (_label, ms) in KINDS.items() if not kind or k == kind for m in ms]
    events = Events.objects.across(*models).order_by("-pgh_created_at", "-pgh_slug")
    if actor is not None:
        events = events.filter(pgh_context__user=actor.pk)
    zone = timezone.get_current_timezone()
    if date_from:
        events = events.filter(pgh_created_at__gte=dt.datetime.combine(date_from, dt.time(), zone))
    if date_to:
        events = events.filter(
            pgh_created_at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), zone)
        )
    return events


def _text(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if field == "role":
        return str(dict(Role.choices).get(value, value))
    return str(value)


def audit_entries(events: list[Events]) -> Iterator[AuditEntry]:
    """Events as rows to show: the acting user, what it was about and each field's old and new value."""
    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context} | {
        (e.pgh_data or {}).get("user_id") or (e.pgh_data or {}).get("user") for e in events
    }
    users = User.objects.in_bulk([i for i in user_ids if isinstance(i, int)])
    team_ids = {(e.pgh_data or {}).get("team_id") or (e.pgh_data or {}).get("team") for e in events}
    teams = Team.objects.in_bulk([i for i in team_ids if isinstance(i, int)])
    for e in events:
        data = e.pgh_data or {}
        actor = users.get((e.pgh_context or {}).get("user"))
        if e.pgh_model.endswith(("TeamMemberEvent", "TeamManagerEvent")):
            member = users.get(data.get("user_id") or data.get("user"))
            team = teams.get(data.get("team_id") or data.get("team"))
            subject = f"{member.display_name if member else '?'} — {team.name if team else '?'}"
            kind, changes = "membership", []
        elif e.pgh_model.endswith("TeamEvent"):
            subject, kind = data.get("name", ""), "team"
            changes = _changes(e, data)
        else:
            subject = User.format_name(
                data.get("last_name", ""), data.get("first_name", ""), data.get("username", "")
            )
            kind, changes = "user", _changes(e, data)
        yield AuditEntry(
            at=e.pgh_created_at,
            actor=actor,
            kind=kind,
            action=str(LABELS.get(e.pgh_label, e.pgh_label)),
            subject=subject,
            changes=changes,
        )


def _changes(event: Events, data: dict) -> list[tuple[str, str, str]]:
    if event.pgh_label == "update" and event.pgh_diff:
        pairs = {k: (old, new) for k, (old, new) in event.pgh_diff.items()}
    elif event.pgh_label == "insert":
        pairs = {k: (None, v) for k, v in data.items() if k in FIELD_LABELS}
    else:
        pairs = {}
    return [
        (str(FIELD_LABELS[k]), _text(k, old), _text(k, new))
        for k, (old, new) in pairs.items()
        if k in FIELD_LABELS
    ]
