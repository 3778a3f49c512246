"""Every page with totals shows rows that add up to them, with a deactivated rep's prospects shown as
theirs and marked inactive, not hidden (issue #17): the manager's home table, the targets page, the
"might buy this month" list's per-rep totals, and the board's scope menu (its team total is the sum of
the people it offers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from prospects.models import Horizon
from salescrm.lib.months import this_month
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db

INACTIVE = {"ja": "無効", "en": "inactive"}


@pytest.fixture
def leaver(personas):
    """The teammate left the company: their account is off, their open prospects not yet reassigned."""
    month = this_month()
    make_prospect(
        personas.owner, horizon=Horizon.SHORT, expected_month=month, amount=Decimal(1000), probability=50
    )
    make_prospect(
        personas.teammate, horizon=Horizon.SHORT, expected_month=month, amount=Decimal(3000), probability=80
    )
    make_prospect(personas.teammate, horizon=Horizon.LONG, expected_month=None)
    personas.teammate.is_active = False
    personas.teammate.save()
    return personas


def _row(html: str, name: str) -> str:
    """The table row (<tr>…</tr>) naming `name`."""
    for chunk in html.split("<tr")[1:]:
        row = chunk.split("</tr>", 1)[0]
        if name in row:
            return row
    raise AssertionError(f"no row names {name!r}")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_home_team_table_adds_up_and_marks_the_inactive_rep(leaver, client, language):
    client.force_login(leaver.manager)
    client.cookies["django_language"] = language
    response = client.get(reverse("home"))
    team = response.context["team"]
    for h in ("short", "mid", "long"):
        assert sum(r.counts[h] for r in team.rows) == team.total.counts[h]
    assert sum(r.weighted_this_month for r in team.rows) == team.total.weighted_this_month
    assert INACTIVE[language] in _row(response.content.decode(), leaver.teammate.display_name)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_targets_page_rep_rows_add_up_to_the_company_row(leaver, client, language):
    client.force_login(leaver.admin)
    client.cookies["django_language"] = language
    response = client.get(reverse("targets:settings"))
    rows = response.context["rows"]
    company = next(r for r in rows if r.kind == "company")
    people = [r for r in rows if r.kind == "user"]
    for rule in ("total", "short", "mid", "long"):
        assert sum(getattr(r.counts, rule) for r in people) == getattr(company.counts, rule), rule
    assert INACTIVE[language] in _row(response.content.decode(), leaver.teammate.display_name)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_month_list_per_rep_totals_add_up_and_mark_the_inactive_rep(leaver, client, language):
    client.force_login(leaver.manager)
    client.cookies["django_language"] = language
    response = client.get(
        reverse("pipeline:month_list"), {"scope": f"team-{leaver.team.pk}", "month": f"{this_month():%Y-%m}"}
    )
    data = response.context["data"]
    assert sum(t.count for t in data.per_rep) == data.total.count
    assert sum(t.weighted for t in data.per_rep) == data.total.weighted
    assert INACTIVE[language] in _row(response.content.decode(), leaver.teammate.display_name)


def test_board_scope_menu_offers_everyone_the_team_total_counts(leaver, client):
    """The team's board counts the leaver's prospects, so the menu must offer the leaver too (marked):
    otherwise nobody can look at the deals that make the difference."""
    client.force_login(leaver.manager)
    team_board = client.get(reverse("pipeline:board"), {"scope": f"team-{leaver.team.pk}"})
    team_counts = {c.horizon: c.count for c in team_board.context["columns"]}
    offered = [key for key, _label in team_board.context["scope_choices"] if key.startswith("user-")]
    summed = {h: 0 for h in team_counts}
    for key in offered:
        board = client.get(reverse("pipeline:board"), {"scope": key})
        for column in board.context["columns"]:
            summed[column.horizon] += column.count
    assert summed == team_counts
    label = dict(team_board.context["scope_choices"])[f"user-{leaver.teammate.pk}"]
    assert "無効" in label or "inactive" in label
