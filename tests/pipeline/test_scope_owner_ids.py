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


@pytest.mark.parametrize("who", ["owner", "manager", "other_manager", "admin"])
def test_the_scope_menu_offers_what_the_viewer_may_open(personas, who):
    from django.db.models import Q

    from accounts.access import visible_teams, visible_users
    from pipeline.selectors import scope_choices

    viewer = getattr(personas, who)
    inactive = make_user("gone")
    inactive.is_active = False
    inactive.save()
    personas.team.members.add(inactive)
    choices = scope_choices(viewer)
    if who == "owner":
        assert choices == [(f"user-{viewer.pk}", viewer.display_name)]
        return
    expected = [("all", "全員")] if who == "admin" else []
    expected += [(f"team-{t.pk}", t.name) for t in visible_teams(viewer).order_by("name")]
    # The active reps, and anyone else only while they own open prospects (#17: no manager as a row of
    # zeros; a deactivated rep with open prospects stays, marked).
    people = (
        visible_users(viewer).filter(Q(is_active=True, role="rep") | Q(prospects__status="open")).distinct()
    )
    expected += [(f"user-{u.pk}", u.roster_name) for u in people]
    assert [key for key, _label in choices] == [key for key, _label in expected]
    assert [label for _key, label in choices][1 if who == "admin" else 0 :] == [
        label for _key, label in expected
    ][1 if who == "admin" else 0 :]
    # Every offered scope resolves for the viewer (no 404); the inactive member without open prospects
    # is not offered.
    assert f"user-{inactive.pk}" not in dict(choices)
    for key, _label in choices:
        resolve_scope(viewer, key)


def test_bands_and_target_read_together_match_the_orm(personas):
    from decimal import Decimal

    from pipeline.models import RankBands
    from pipeline.selectors import all_scope, user_scope
    from targets.models import PipelineTarget

    team = team_scope(personas.team)
    # Nothing saved: the default bands and no target.
    bands, target = team.bands_and_target()
    assert (bands.a_min, bands.b_min, target) == (RankBands.DEFAULT_A, RankBands.DEFAULT_B, None)
    RankBands.objects.update_or_create(pk=RankBands.SINGLETON_PK, defaults={"a_min": 70, "b_min": 40})
    PipelineTarget.objects.create(
        team=personas.team, min_open=9, min_short=3, sales_target=Decimal("5000000")
    )
    PipelineTarget.objects.create(user=personas.owner, min_open=4)
    PipelineTarget.objects.create(min_open=100)
    # Read once per Scope (one a request): the same object keeps what it read.
    assert team.bands_and_target()[1] is None
    team = team_scope(personas.team)
    for scope in (team, user_scope(personas.owner), all_scope(), user_scope(personas.teammate)):
        bands, target = scope.bands_and_target()
        kind, _sep, pk = scope.key.partition("-")
        expected = PipelineTarget.objects.filter(
            user_id=int(pk) if kind == "user" else None,
            team_id=int(pk) if kind == "team" else None,
        ).first()
        assert (bands.a_min, bands.b_min) == (70, 40)
        if expected is None:
            assert target is None
        else:
            for name in ("pk", "min_open", "min_short", "min_mid", "min_long", "sales_target"):
                assert getattr(target, name) == getattr(expected, name)


def test_a_managers_team_scope_holds_its_members_and_the_menu_is_the_same(personas):
    from pipeline.selectors import scope_choices

    second = personas.other_team
    second.managers.add(personas.manager)  # a manager of two teams
    viewer = personas.manager
    expected_menu = scope_choices(viewer)
    for raw in ("", f"team-{personas.team.pk}", f"team-{second.pk}"):
        scope = resolve_scope(viewer, raw)
        menu = scope_choices(viewer, scope)
        assert menu == expected_menu
        team = second if raw.endswith(f"-{second.pk}") else min((personas.team, second), key=lambda t: t.name)
        assert scope.key == f"team-{team.pk}" and scope.label == team.name
        assert set(scope.owner_ids) == set(team.members.values_list("pk", flat=True))
    # Another viewer's menu is never taken from it.
    assert scope_choices(personas.other_manager, scope) != menu


def test_a_managers_team_scope_reads_its_bands_target_and_snapshot_once(personas, django_assert_num_queries):
    import datetime as dt
    from decimal import Decimal

    from pipeline.models import RankBands
    from pipeline.services import snapshot_take
    from targets.models import PipelineTarget

    month = dt.date(2026, 11, 1)
    second = personas.other_team
    second.managers.add(personas.manager)
    RankBands.objects.update_or_create(pk=RankBands.SINGLETON_PK, defaults={"a_min": 70, "b_min": 40})
    PipelineTarget.objects.create(team=second, min_open=9, min_short=3, sales_target=Decimal("5000000.50"))
    taken, _created = snapshot_take(scope=team_scope(second), month=month)
    for raw, team in (("", personas.team), (f"team-{second.pk}", second)):
        expected_bands, expected_target = team_scope(team).bands_and_target()
        expected_snapshot = team_scope(team).snapshot(month)
        scope = resolve_scope(personas.manager, raw)
        bands, target = scope.bands_and_target()
        snapshot = scope.snapshot(month)
        with django_assert_num_queries(0):  # read once per Scope (one a request)
            assert scope.bands_and_target() == (bands, target)
            assert scope.snapshot(month) == snapshot
        assert (bands.pk, bands.a_min, bands.b_min, bands.updated_at) == (
            expected_bands.pk,
            expected_bands.a_min,
            expected_bands.b_min,
            expected_bands.updated_at,
        )
        if expected_target is None:
            assert target is None
        else:
            fields = (
                "pk",
                "team_id",
                "user_id",
                "min_open",
                "min_short",
                "min_mid",
                "min_long",
                "sales_target",
            )
            assert [getattr(target, f) for f in fields] == [getattr(expected_target, f) for f in fields]
        if expected_snapshot is None:
            assert snapshot is None
        else:
            assert (
                (snapshot.pk, snapshot.taken_at)
                == (taken.pk, taken.taken_at)
                == (
                    expected_snapshot.pk,
                    expected_snapshot.taken_at,
                )
            )
    # A fresh scope looks the snapshot up on its own.
    scope = resolve_scope(personas.manager, f"team-{second.pk}")
    with django_assert_num_queries(1):
        assert scope.snapshot(month).pk == taken.pk
