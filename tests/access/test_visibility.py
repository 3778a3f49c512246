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
