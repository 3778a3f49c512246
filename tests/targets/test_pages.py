from __future__ import annotations

import re

import pytest
from django.urls import reverse

from prospects.models import Horizon
from targets.models import PipelineAlert, PipelineTarget, Rule
from targets.services import pipeline_check_run
from tests.conftest import make_prospect
from tests.targets.conftest import NOW, set_target

pytestmark = pytest.mark.django_db


def test_an_admin_sees_every_scope_with_its_target_and_counts(personas, client):
    make_prospect(personas.outsider, horizon=Horizon.SHORT)
    set_target(team=personas.team, min_open=5, min_short=1)
    client.force_login(personas.admin)
    response = client.get(reverse("targets:settings"))
    assert response.status_code == 200
    body = response.content.decode()
    for row_id in (
        "target-company",
        f"target-team-{personas.team.pk}",
        f"target-team-{personas.other_team.pk}",
        f"target-user-{personas.owner.pk}",
        f"target-user-{personas.outsider.pk}",
    ):
        assert f'id="{row_id}"' in body
    team_row = re.search(rf'id="target-team-{personas.team.pk}".*?</tr>', body, re.S).group(0)
    assert "1 / 5" in team_row and "overdue" in team_row  # 1 open of 5, below
    assert reverse("targets:edit", args=[f"team-{personas.team.pk}"]) in body


def test_a_manager_sees_their_teams_and_reps_read_only(personas, client):
    client.force_login(personas.manager)
    body = client.get(reverse("targets:settings")).content.decode()
    assert f'id="target-team-{personas.team.pk}"' in body
    assert f'id="target-user-{personas.owner.pk}"' in body
    assert f'id="target-team-{personas.other_team.pk}"' not in body
    assert 'id="target-company"' not in body
    assert "/edit/" not in body


def test_a_manager_is_no_rep_row_of_zeros_in_their_own_teams_targets(personas, client):
    """#17: the manager's own row appears only when they own open prospects or have a target."""
    client.force_login(personas.manager)
    row = f'id="target-user-{personas.manager.pk}"'
    assert row not in client.get(reverse("targets:settings")).content.decode()
    make_prospect(personas.manager)
    assert row in client.get(reverse("targets:settings")).content.decode()
    client.force_login(personas.admin)
    assert (
        f'id="target-user-{personas.other_manager.pk}"'
        not in client.get(reverse("targets:settings")).content.decode()
    )


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_the_rows_of_a_teams_members_add_up_to_its_row_with_an_inactive_rep_marked(personas, client, who):
    """#17: an inactive rep's open prospects still count for the team, so their row stays, marked."""
    from targets.selectors import scope_rows

    make_prospect(personas.owner)
    make_prospect(personas.teammate)
    personas.teammate.is_active = False
    personas.teammate.save(update_fields=["is_active"])
    viewer = getattr(personas, who)
    rows = {row.key: row for row in scope_rows(viewer)}
    members = [personas.owner, personas.teammate]
    team_row = rows[("team", None, personas.team.pk)]
    assert sum(rows[("user", m.pk, None)].counts.total for m in members) == team_row.counts.total == 3
    assert rows[("user", personas.teammate.pk, None)].label == "teammate (無効)"
    assert rows[("user", personas.owner.pk, None)].label == personas.owner.display_name
    if viewer.is_admin_role:  # every owner of an open prospect has a row: they add up to the company's
        people = sum(row.counts.total for row in rows.values() if row.kind == "user")
        assert people == rows[("company", None, None)].counts.total
    client.force_login(viewer)
    body = client.get(reverse("targets:settings")).content.decode()
    assert f'id="target-user-{personas.teammate.pk}"' in body and "teammate (無効)" in body


def test_a_rep_sees_only_their_own_row(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("targets:settings")).content.decode()
    assert f'id="target-user-{personas.owner.pk}"' in body
    assert f'id="target-user-{personas.teammate.pk}"' not in body
    assert f'id="target-team-{personas.team.pk}"' not in body  # not even their own team's
    assert "/edit/" not in body
    assert client.get(reverse("targets:health") + f"?scope=team-{personas.team.pk}").status_code == 404
    assert client.get(reverse("targets:health")).status_code == 200  # their own ledger


@pytest.mark.parametrize("who", ["manager", "owner"])
def test_only_admins_may_edit_targets(personas, client, who):
    client.force_login(getattr(personas, who))
    url = reverse("targets:edit", args=[f"user-{personas.owner.pk}"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"min_open": 3}).status_code == 403
    assert not PipelineTarget.objects.exists()


def test_a_rep_cannot_open_someone_elses_row(personas, client):
    client.force_login(personas.owner)
    assert client.get(reverse("targets:row", args=[f"user-{personas.outsider.pk}"])).status_code == 404
    assert client.get(reverse("targets:row", args=["company"])).status_code == 404
    assert client.get(reverse("targets:row", args=["nonsense"])).status_code == 404


def test_the_inline_form_saves_and_swaps_the_row_back(personas, client):
    client.force_login(personas.admin)
    url = reverse("targets:edit", args=[f"user-{personas.owner.pk}"])
    form = client.get(url, headers={"HX-Request": "true"})
    assert form.status_code == 200 and b"<form" in form.content and b"<html" not in form.content
    response = client.post(
        url,
        {"min_open": "4", "min_short": "2", "min_mid": "", "min_long": "", "sales_target": "3000000"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f'id="target-user-{personas.owner.pk}"'.encode() in response.content
    target = PipelineTarget.objects.get(user=personas.owner)
    assert (target.min_open, target.min_short, target.min_mid, target.sales_target) == (4, 2, None, 3000000)
    # The change is in the history, shown on the page with who made it.
    assert target.events.count() == 1
    event = target.events.get()
    assert event.pgh_context.metadata["user"] == personas.admin.pk
    page = client.get(reverse("targets:settings")).content.decode()
    changes = page.split('id="target-changes"')[1]
    assert personas.admin.display_name in changes and "3,000,000" in changes


@pytest.mark.parametrize(
    "data,field",
    [
        ({"min_open": "-1"}, "min_open"),
        ({"min_open": "abc"}, "min_open"),
        ({"min_open": "1.5"}, "min_open"),
        ({"sales_target": "-100"}, "sales_target"),
        ({"min_open": "3", "min_short": "4"}, "min_short"),
        ({"min_open": "3", "min_long": "9"}, "min_long"),
    ],
)
def test_invalid_targets_get_422_with_the_reason(personas, client, data, field):
    client.force_login(personas.admin)
    url = reverse("targets:edit", args=["company"])
    response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not PipelineTarget.objects.exists()


def test_the_database_refuses_a_horizon_minimum_above_the_total(personas):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineTarget.objects.create(user=personas.owner, min_open=2, min_mid=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        PipelineTarget.objects.create(user=personas.owner, sales_target=-1)


def test_emptying_every_field_removes_the_target(personas, client):
    set_target(user=personas.owner, min_open=3)
    client.force_login(personas.admin)
    response = client.post(reverse("targets:edit", args=[f"user-{personas.owner.pk}"]), {})
    assert response.status_code == 302
    assert not PipelineTarget.objects.filter(user=personas.owner).exists()


# ------------------------------------------------------------------------------------- the bell


@pytest.fixture
def alerts(personas):
    set_target(user=personas.owner, min_open=3)
    set_target(user=personas.outsider, min_open=3)
    set_target(team=personas.team, min_open=5)
    set_target(min_open=10)
    pipeline_check_run(now=NOW)
    assert PipelineAlert.objects.count() == 4
    return personas


@pytest.mark.parametrize(
    "who,expected",
    [
        ("owner", 1),  # their own
        ("teammate", 0),
        ("outsider", 1),
        ("manager", 2),  # the team and its rep
        ("other_manager", 1),  # the outsider
        ("admin", 4),  # everything, the company too
    ],
)
def test_each_persona_sees_only_their_alerts_in_the_bell(alerts, client, who, expected):
    client.force_login(getattr(alerts, who))
    response = client.get(reverse("targets:bell"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert re.search(rf'id="bell-count"[^>]*>{expected}<', response.content.decode())
    menu = client.get(reverse("targets:alerts"), headers={"HX-Request": "true"})
    assert menu.content.decode().count('class="bell-item"') == expected


def test_the_bell_polls_every_60_seconds_and_costs_two_queries(alerts, client, django_assert_num_queries):
    client.force_login(alerts.manager)
    client.get(reverse("targets:bell"))  # warm the session
    from django.template import engines
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = alerts.manager
    template = engines["django"].from_string('{% include "targets/_bell.html" %}')
    # The open alerts' count and the unread notifications' count.
    with django_assert_num_queries(2):
        html = template.render({"request": request, "user": alerts.manager})
    assert 'hx-trigger="every 60s"' in html and ">2<" in html


def test_the_home_page_shows_the_alerts_with_their_plan_in_one_query(
    alerts, client, django_assert_num_queries
):
    from django.template import engines
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = alerts.owner
    template = engines["django"].from_string('{% include "targets/_home_alerts.html" %}')
    from activities.yields import PLAN_INPUT_QUERIES

    # The alerts, then the activity plan's inputs read once for every alert (activities.yields).
    with django_assert_num_queries(1 + PLAN_INPUT_QUERIES):
        html = template.render({"request": request, "user": alerts.owner})
    assert 'id="alert-' in html and "plan" in html
    client.force_login(alerts.owner)
    home = client.get(reverse("home")).content.decode()
    assert "target-alert" in home


def test_the_health_page_draws_the_ledger_for_a_visible_scope(personas, client):
    set_target(user=personas.owner, min_open=3)
    client.force_login(personas.owner)
    response = client.get(reverse("targets:health"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<svg" in body and 'class="target-line"' in body and "style=" not in body
    assert client.get(reverse("targets:health") + f"?scope=user-{personas.outsider.pk}").status_code == 404
    assert client.get(reverse("targets:health") + "?scope=company").status_code == 404


def test_nav_links_are_shown(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("home")).content.decode()
    assert reverse("targets:settings") in body and reverse("targets:health") in body
    assert Rule.OPEN  # rules exist


def test_the_settings_page_costs_the_same_number_of_queries_for_more_reps(personas, client):
    from tests.conftest import make_user

    client.force_login(personas.admin)
    client.get(reverse("targets:settings"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("targets:settings"))
    for i in range(15):
        rep = make_user(f"extra{i}")
        personas.team.members.add(rep)
        make_prospect(rep)
        set_target(user=rep, min_open=2)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("targets:settings")).status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize("who", ["owner", "teammate", "outsider", "manager", "other_manager", "admin"])
def test_the_home_pages_newest_alerts_agree_with_visible_to(alerts, who, django_assert_num_queries):
    from targets.selectors import newest_open_alerts

    user = getattr(alerts, who)
    set_target(user=alerts.manager, min_open=3)  # with the fixture's: a rep, a team, the company
    pipeline_check_run(now=NOW)
    expected = list(
        PipelineAlert.objects.open()
        .visible_to(user)
        .select_related("user", "team")
        .order_by("-opened_at", "-id")[:5]
    )
    with django_assert_num_queries(1):
        found = newest_open_alerts(user, 5)
        labels = [a.scope_label for a in found]
    assert [a.pk for a in found] == [a.pk for a in expected]
    assert labels == [a.scope_label for a in expected]
    assert [a.replenishment for a in found] == [a.replenishment for a in expected]
    user.is_active = False
    assert newest_open_alerts(user, 5) == []
