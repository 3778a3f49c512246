"""Stored plans (what a plan is built from) and the plan shown for an alert's deficit."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from targets.models import PipelineAlert, Rule, Scope
from targets.plans import SourceStats, SourceTable, expand, replenishment_plan, stored
from tests.conftest import make_user

SCOPE = SourceTable(
    {
        "flyer": SourceStats(created=8, kept=2, won=1, lost=3),
        "referral": SourceStats(created=4, kept=3, won=2, lost=0),
        "inbound": SourceStats(),  # no history: left out
    }
)
COMPANY = SourceTable({"exhibition": SourceStats(created=50, kept=25, won=5, lost=5)})


def test_a_stored_plan_keeps_the_basis_the_history_and_the_table_only():
    assert stored(SCOPE, COMPANY) == {
        "basis": "scope",
        "history": 12,
        "table": {"flyer": [8, 2, 1, 3], "referral": [4, 3, 2, 0]},
    }
    small = SourceTable({"flyer": SourceStats(created=3, kept=3)})
    assert stored(small, COMPANY) == {
        "basis": "company",
        "history": 3,
        "table": {"exhibition": [50, 25, 5, 5]},
    }


@pytest.mark.parametrize("deficit", [0, 1, 5, 17])
def test_the_plan_shown_is_the_plan_of_the_deficit(deficit):
    plan = expand(stored(SCOPE, COMPANY), deficit)
    assert plan == replenishment_plan(deficit, SCOPE, COMPANY)
    assert plan["deficit"] == deficit
    referral = plan["sources"][0]
    assert referral["source"] == "referral" and referral["yield"] == 0.75
    assert (referral["yield_pct"], referral["win_rate_pct"], referral["decided"]) == (75, 100, 2)
    assert referral["leads"] == (None if deficit == 0 else -(-deficit * 4 // 3))


def test_extras_ride_along_and_older_full_plans_are_shown_as_they_are():
    plan = expand({**stored(SCOPE, COMPANY), "projected": 4.5, "inflow": 9}, 2)
    assert (plan["projected"], plan["inflow"], plan["sources"][0]["source"]) == (4.5, 9, "referral")
    assert "best" not in plan  # no best source picked from a few prospects (#18: the yields plan)
    older = {
        "basis": "scope",
        "sources": [
            {"source": "flyer", "label": "チラシ", "yield": 0.3333, "win_rate": 0.25, "won": 1, "lost": 3}
        ],
        "best": None,
    }
    shown = expand(older, 2)
    assert shown["sources"] == [{**older["sources"][0], "yield_pct": 33, "win_rate_pct": 25, "decided": 4}]
    assert shown["basis"] == "scope" and "yield_pct" not in older["sources"][0]  # not changed in place
    assert expand({}, 2) == {}


@pytest.mark.django_db
def test_the_plan_names_its_sources_in_the_readers_language(client):
    rep = make_user(role=Role.REP)
    PipelineAlert.objects.create(
        scope=Scope.USER,
        user=rep,
        rule=Rule.OPEN,
        current=1,
        target=4,
        deficit=3,
        plan=stored(SCOPE, COMPANY),
        opened_at=timezone.now(),
        checked_at=timezone.now(),
    )
    client.force_login(rep)
    for language, label in (("ja", "紹介"), ("en", "Referral")):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = client.get(reverse("targets:alerts"))
        assert page.status_code == 200 and label in page.text, language
