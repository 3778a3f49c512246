"""The manager's home page reads in ten seconds: the team table first, one line per alert with its
details on demand, no unlabelled tiles; its rows add up to its total line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from prospects.models import Horizon
from salescrm.lib.months import this_month
from salescrm.selectors import home_team_table
from targets.models import Rule, Scope
from tests.conftest import make_prospect, make_user
from tests.factories import PipelineAlertFactory

pytestmark = pytest.mark.django_db


def _alert(user, rule=Rule.SHORT):
    return PipelineAlertFactory(scope=Scope.USER, user=user, rule=rule)


def test_manager_home_shows_the_team_table_first_and_one_line_per_alert(personas, client):
    _alert(personas.owner)
    _alert(personas.teammate, Rule.OPEN)
    client.force_login(personas.manager)
    html = client.get(reverse("home")).content.decode()
    assert html.index('class="team-overview"') < html.index('class="home-alerts compact"')
    lines = html.split('<ul class="alert-lines">', 1)[1].split("</ul>", 1)[0]
    assert lines.count("<details>") == 2 and lines.count("<summary>") == 2
    # The full card (with its replenishment plan) is inside the details, not on the page itself.
    assert lines.count('class="target-alert') == 2


def test_manager_without_prospects_of_their_own_sees_no_horizon_tiles(personas, client):
    client.force_login(personas.manager)
    html = client.get(reverse("home")).content.decode()
    assert 'class="stat horizon-short"' not in html and "own-counts" not in html


def test_rep_tiles_are_labelled_as_their_own_prospects(personas, client):
    client.force_login(personas.owner)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    section = html.split('class="own-counts"', 1)[1].split("</section>", 1)[0]
    assert "自分の商談中の見込み客" in section and "短期" in section


def test_a_manager_is_not_listed_as_a_rep_with_nothing(personas, client):
    client.force_login(personas.admin)
    table = home_team_table(viewer=personas.admin)
    names = {r.user.username for r in table.rows}
    assert {"owner", "teammate", "outsider"} <= names
    assert not names & {"manager", "other_manager", "admin"}


def test_home_rows_add_up_to_the_total_with_an_inactive_rep_marked(personas, client):
    month = this_month()
    make_prospect(
        personas.owner, horizon=Horizon.SHORT, expected_month=month, amount=Decimal(1001), probability=50
    )
    make_prospect(
        personas.teammate, horizon=Horizon.MID, expected_month=month, amount=Decimal(3000), probability=30
    )
    make_prospect(personas.manager, horizon=Horizon.LONG)  # the manager's own deal counts too
    make_prospect(personas.outsider, horizon=Horizon.SHORT)  # another team's: not in the total
    personas.teammate.is_active = False
    personas.teammate.save()
    table = home_team_table(viewer=personas.manager)
    by_name = {r.user.username: r for r in table.rows}
    assert set(by_name) == {"owner", "teammate", "manager"}
    assert by_name["teammate"].is_inactive and not by_name["owner"].is_inactive
    for h in ("short", "mid", "long"):
        assert sum(r.counts[h] for r in table.rows) == table.total.counts[h]
    assert table.total.counts == {"short": 1, "mid": 2, "long": 1}  # with the personas' mid prospect
    assert sum(r.weighted_this_month for r in table.rows) == table.total.weighted_this_month
    client.force_login(personas.manager)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    row = html.split('<tr class="inactive">', 1)[1].split("</tr>", 1)[0]
    assert "無効" in row


def test_the_manager_home_reads_the_same_number_of_queries_for_more_reps(personas, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.manager)
    client.get(reverse("home"))  # warm the session and the content types
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(4):
        rep = make_user(f"more{n}")
        personas.team.members.add(rep)
        make_prospect(rep, horizon=Horizon.SHORT)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("home"))
    assert len(many) == len(few)
