import pytest
from django.urls import reverse

from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
PAGES = ["pipeline:board", "pipeline:month_list", "pipeline:forecast"]


@pytest.mark.parametrize("page", PAGES)
def test_rep_cannot_pick_another_team_or_rep_or_everyone(personas, client, page):
    client.force_login(personas.owner)
    for scope in (
        f"team-{personas.other_team.pk}",
        f"team-{personas.team.pk}",
        f"user-{personas.teammate.pk}",
        f"user-{personas.outsider.pk}",
        "all",
        "team-x",
        "bogus",
    ):
        assert client.get(reverse(page), {"scope": scope}).status_code == 404, scope
    assert client.get(reverse(page), {"scope": f"user-{personas.owner.pk}"}).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_manager_sees_only_their_teams_and_their_members(personas, client, page):
    client.force_login(personas.manager)
    assert client.get(reverse(page), {"scope": f"team-{personas.team.pk}"}).status_code == 200
    assert client.get(reverse(page), {"scope": f"user-{personas.teammate.pk}"}).status_code == 200
    assert client.get(reverse(page), {"scope": f"team-{personas.other_team.pk}"}).status_code == 404
    assert client.get(reverse(page), {"scope": f"user-{personas.outsider.pk}"}).status_code == 404
    assert client.get(reverse(page), {"scope": "all"}).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_admin_may_pick_anyone(personas, client, page):
    client.force_login(personas.admin)
    for scope in ("all", f"team-{personas.other_team.pk}", f"user-{personas.outsider.pk}"):
        assert client.get(reverse(page), {"scope": scope}).status_code == 200


def test_a_reps_board_shows_only_their_own_prospects(personas, client):
    make_prospect(personas.teammate, name="Teammate deal")
    client.force_login(personas.owner)
    body = client.get(reverse("pipeline:board")).content.decode()
    assert "山田工務店" in body and "Teammate deal" not in body


def test_managers_default_board_is_their_team(personas, client):
    make_prospect(personas.teammate, name="Teammate deal")
    make_prospect(personas.outsider, name="Outsider deal")
    client.force_login(personas.manager)
    response = client.get(reverse("pipeline:board"))
    body = response.content.decode()
    assert response.context["scope"].key == f"team-{personas.team.pk}"
    assert "Teammate deal" in body and "山田工務店" in body and "Outsider deal" not in body
    # The selector offers their team and its members, nothing of the other team.
    keys = [k for k, _label in response.context["scope_choices"]]
    assert f"team-{personas.other_team.pk}" not in keys and f"user-{personas.outsider.pk}" not in keys


def test_anonymous_is_sent_to_login(client):
    for page in [*PAGES, "home"]:
        assert client.get(reverse(page)).status_code == 302


def test_csv_of_a_foreign_scope_is_404(personas, client):
    client.force_login(personas.other_manager)
    response = client.get(
        reverse("pipeline:month_list"), {"scope": f"team-{personas.team.pk}", "format": "csv"}
    )
    assert response.status_code == 404
