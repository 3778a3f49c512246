"""The one visibility rule (accounts.access.visible_owner_ids_q) and the reads derived from it."""

from __future__ import annotations

import itertools

import pytest

from accounts.access import managers_of, team_managers, visible_teams, visible_users
from accounts.models import Role
from prospects.models import Prospect
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_a_managers_prospects_are_one_owner_in_subquery_not_an_or(personas):
    """ "owner IN (...) OR owner = me" kept PostgreSQL off the owner indexes: the manager's own id is
    inside the subquery (docs/performance.md, "visibility")."""
    sql = str(Prospect.objects.visible_to(personas.manager).query)
    where = sql.split(" WHERE ", 1)[1]
    assert where.startswith('"prospects_prospect"."owner_id" IN (') and "UNION" in where
    assert " OR " not in where


def test_each_role_sees_the_owners_the_rule_says(personas):
    everyone = set(personas.all().values())
    expected = {
        "owner": {personas.owner},
        "outsider": {personas.outsider},
        "manager": {personas.manager, personas.owner, personas.teammate},
        "other_manager": {personas.other_manager, personas.outsider},
        "admin": everyone,
    }
    for name, owners in expected.items():
        assert set(visible_users(getattr(personas, name))) == owners, name
    personas.manager.is_active = False
    assert not visible_users(personas.manager).exists()


def test_the_managers_who_hear_about_an_owner_are_those_who_see_them(personas):
    """managers_of and team_managers are the rule read the other way round (the alert recipients)."""
    inactive = make_user("inactive_boss", Role.MANAGER, is_active=False)
    personas.team.managers.add(inactive)
    rep_leader = make_user("rep_leader")  # a rep listed as a team's manager sees only themselves
    personas.other_team.managers.add(rep_leader)
    personas.team.members.add(personas.manager)  # a manager who is also a member of their own team
    people = [*personas.all().values(), inactive, rep_leader]
    hearing = managers_of()
    for viewer, owner in itertools.permutations(people, 2):
        sees = viewer.is_manager and owner in set(visible_users(viewer))
        assert sees == (viewer.pk in hearing.get(owner.pk, set())), (viewer.username, owner.username)
    leads = team_managers()
    for viewer in people:
        for team in (personas.team, personas.other_team):
            sees = viewer.is_manager and team in set(visible_teams(viewer))
            assert sees == (viewer.pk in leads.get(team.pk, set())), (viewer.username, team.name)


def test_alerts_targets_and_test_closings_follow_the_same_rule(personas):
    from django.utils import timezone

    from closing.models import Reading, TestClosing
    from targets.models import PipelineAlert, PipelineTarget, Rule, Scope

    now = timezone.now()
    scopes = [(Scope.USER, u, None) for u in personas.all().values()]
    scopes += [(Scope.TEAM, None, t) for t in (personas.team, personas.other_team)]
    scopes.append((Scope.COMPANY, None, None))
    for scope, user, team in scopes:
        PipelineTarget.objects.create(user=user, team=team, min_open=1)
        PipelineAlert.objects.create(
            scope=scope,
            user=user,
            team=team,
            rule=Rule.OPEN,
            current=0,
            target=1,
            deficit=1,
            opened_at=now,
            checked_at=now,
        )
    for owner in personas.all().values():
        prospect = Prospect.objects.create(owner=owner, name="p", source="inbound")
        TestClosing.objects.create(
            prospect=prospect, question_text="q", answer="a", reading=Reading.POSITIVE, asked_by=owner
        )
    for name, viewer in personas.all().items():
        owners = set(visible_users(viewer).values_list("pk", flat=True))
        teams = set(visible_teams(viewer).values_list("pk", flat=True)) if viewer.is_manager else set()
        expected = {(Scope.USER, o, None) for o in owners} | {(Scope.TEAM, None, t) for t in teams}
        if viewer.is_admin_role:
            expected = {(s, u.pk if u else None, t.pk if t else None) for s, u, t in scopes}
        alerts = set(PipelineAlert.objects.visible_to(viewer).values_list("scope", "user_id", "team_id"))
        targets = PipelineTarget.objects.visible_to(viewer)
        assert alerts == expected, name
        assert {(t.user_id, t.team_id) for t in targets} == {(u, t) for _s, u, t in expected}, name
        closings = TestClosing.objects.visible_to(viewer).values_list("prospect__owner_id", flat=True)
        assert set(closings) == owners, name
    personas.admin.is_active = False
    assert not PipelineAlert.objects.visible_to(personas.admin).exists()
    assert not PipelineTarget.objects.visible_to(personas.admin).exists()
    assert not TestClosing.objects.visible_to(personas.admin).exists()
