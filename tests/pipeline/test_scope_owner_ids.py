"""A scope resolved for a viewer carries the owner ids that viewer may see in it; its queries filter on
that list instead of the team and visibility subqueries."""

import pytest
from django.http import Http404
from django.urls import reverse

from accounts.models import Team
from pipeline.selectors import resolve_scope, team_scope
from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db


def test_a_managers_team_scope_holds_exactly_its_members(personas):
    scope = resolve_scope(personas.manager, f"team-{personas.team.pk}")
    assert scope.owner_ids == tuple(sorted([personas.owner.pk, personas.teammate.pk]))
    assert scope.resolved_for == personas.manager.pk
    # The default scope of a manager is their first team, resolved the same way.
    assert resolve_scope(personas.manager, "").owner_ids == scope.owner_ids


def test_the_literal_list_gives_the_same_prospects_as_the_subqueries(personas):
    mine = make_prospect(personas.owner)
    theirs = make_prospect(personas.teammate)
    elsewhere = make_prospect(personas.outsider)
    resolved = resolve_scope(personas.manager, f"team-{personas.team.pk}")
    plain = team_scope(personas.team)  # no viewer: the subquery path
    fast = set(resolved.prospects(personas.manager))
    assert fast == set(plain.prospects(personas.manager))
    assert {mine, theirs} <= fast and elsewhere not in fast
    # Another viewer never takes the fast path of a scope resolved for someone else.
    assert set(resolved.prospects(personas.other_manager)) == set()


def test_an_empty_team_shows_an_empty_board(personas, client):
    empty = Team.objects.create(name="Empty")
    empty.managers.add(personas.manager)
    assert resolve_scope(personas.manager, f"team-{empty.pk}").owner_ids == ()
    client.force_login(personas.manager)
    response = client.get(reverse("pipeline:board"), {"scope": f"team-{empty.pk}"})
    assert response.status_code == 200
    assert all(col.count == 0 for col in response.context["columns"])


def test_a_team_of_another_manager_is_still_404(personas):
    with pytest.raises(Http404):
        resolve_scope(personas.manager, f"team-{personas.other_team.pk}")
    newcomer = make_user("newcomer")
    personas.team.members.add(newcomer)
    assert newcomer.pk in resolve_scope(personas.manager, f"team-{personas.team.pk}").owner_ids
