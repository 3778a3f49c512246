"""The audit trail of accounts (issue 16): changes to users, roles, activation and team membership are
recorded with who made them, in the Django admin and in the app alike; an admin page lists and exports
them with filters; no one else may see it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import TeamManagerEvent, TeamMemberEvent, UserEvent
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _actor(event) -> int | None:
    return event.pgh_context.metadata.get("user") if event.pgh_context else None


def _team_form(team, members, managers) -> dict:
    return {"name": team.name, "members": [m.pk for m in members], "managers": [m.pk for m in managers]}


def test_a_membership_change_in_the_django_admin_is_recorded_with_the_admin(personas, client):
    newcomer = make_user("newcomer")
    client.force_login(personas.admin)
    url = reverse("admin:accounts_team_change", args=[personas.team.pk])
    response = client.post(
        url, _team_form(personas.team, [personas.owner, newcomer], [personas.other_manager])
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    team = personas.team
    added = TeamMemberEvent.objects.get(pgh_label="member.add", user=newcomer, team=team)
    removed = TeamMemberEvent.objects.get(pgh_label="member.remove", user=personas.teammate, team=team)
    made = TeamManagerEvent.objects.get(pgh_label="manager.add", user=personas.other_manager, team=team)
    dropped = TeamManagerEvent.objects.get(pgh_label="manager.remove", user=personas.manager, team=team)
    for event in (added, removed, made, dropped):
        assert event.team_id == personas.team.pk
        assert _actor(event) == personas.admin.pk


def test_a_role_change_in_the_django_admin_is_recorded_with_the_admin(personas, client):
    client.force_login(personas.admin)
    user = personas.teammate
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)}
    data.update(
        {
            "username": user.username,
            "role": "manager",
            "is_active": "on",
            "date_joined_0": timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
            "date_joined_1": "00:00:00",
            "groups": [],
            "user_permissions": [],
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = UserEvent.objects.filter(pgh_obj=user, pgh_label="update").latest("pgh_id")
    assert event.role == "manager" and _actor(event) == personas.admin.pk


def test_a_deactivation_in_the_app_is_recorded_with_the_admin(personas, client):
    client.force_login(personas.admin)
    response = client.post(reverse("user_set_active", args=[personas.outsider.pk]), {"active": "0"})
    assert response.status_code == 302
    event = UserEvent.objects.filter(pgh_obj=personas.outsider, pgh_label="update").latest("pgh_id")
    assert event.is_active is False and _actor(event) == personas.admin.pk


@pytest.mark.parametrize("role", ["owner", "manager", "other_manager"])
def test_no_one_but_an_admin_sees_the_audit_trail(personas, client, role):
    client.force_login(getattr(personas, role))
    assert client.get(reverse("audit_log")).status_code in (403, 404)
    assert client.get(reverse("audit_log") + "?export=csv").status_code in (403, 404)


def _rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))[1:]


@pytest.fixture
def history(personas, client):
    """An admin deactivates the outsider in the app; a manager's team change happens in the admin."""
    client.force_login(personas.admin)
    client.post(reverse("user_set_active", args=[personas.outsider.pk]), {"active": "0"})
    newcomer = make_user("newcomer", last_name="新人")
    client.post(
        reverse("admin:accounts_team_change", args=[personas.team.pk]),
        _team_form(personas.team, [personas.owner, personas.teammate, newcomer], [personas.manager]),
    )
    return newcomer


def test_the_page_lists_who_changed_what(personas, client, history):
    response = client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    entries = response.context["entries"]
    deactivation = next(
        e
        for e in entries
        if e.kind == "user"
        and e.subject == personas.outsider.display_name
        and any(label == "Active" for label, _o, _n in e.changes)
    )
    assert deactivation.actor == personas.admin
    assert ("Active", "yes", "no") in deactivation.changes
    joined = next(e for e in entries if e.kind == "membership" and "新人" in e.subject)
    assert joined.actor == personas.admin and "Team A" in joined.subject


def test_the_filters_narrow_by_who_what_and_when(personas, client, history):
    url = reverse("audit_log")
    membership = client.get(url, {"kind": "membership"}).context["entries"]
    assert membership and {e.kind for e in membership} == {"membership"}
    users = client.get(url, {"kind": "user"}).context["entries"]
    assert users and {e.kind for e in users} == {"user"}
    by_admin = client.get(url, {"actor": personas.admin.pk}).context["entries"]
    assert by_admin and {e.actor for e in by_admin} == {personas.admin}
    assert client.get(url, {"actor": personas.manager.pk}).context["entries"] == []
    today = timezone.localdate()
    assert client.get(url, {"date_from": today.isoformat()}).context["entries"]
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert client.get(url, {"date_from": tomorrow}).context["entries"] == []
    assert client.get(url, {"date_to": (today - dt.timedelta(days=1)).isoformat()}).context["entries"] == []


def test_the_export_holds_the_filtered_rows(personas, client, history):
    response = client.get(
        reverse("audit_log"), {"export": "csv", "kind": "membership"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = _rows(response)
    assert rows and all(row[2] == "Team members and managers" for row in rows)
    assert [row[1] for row in rows if "新人" in row[4] and row[3] == "added to the team"] == ["admin"]
    everything = _rows(client.get(reverse("audit_log"), {"export": "csv"}))
    assert len(everything) > len(rows)
