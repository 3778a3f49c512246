"""The board, the monthly list, the forecast and home cost the same number of queries at 10 and 200+."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from activities.models import Activity, ActivityKind
from activities.services import local_midnight
from closing.models import TestClosing as ClosingRecord
from prospects.models import Horizon, Prospect, Source
from salescrm.lib.months import this_month
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
HORIZONS = [Horizon.SHORT, Horizon.MID, Horizon.LONG]


def _fill(owners, n):
    month = this_month()
    today = timezone.localdate()
    prospects = [
        Prospect(
            owner=owners[i % len(owners)],
            name=f"p{i}",
            source=Source.INBOUND,
            horizon=HORIZONS[i % 3],
            probability=(i * 7) % 101,
            amount=Decimal(100000 + i),
            expected_month=month if i % 2 else None,
        )
        for i in range(n)
    ]
    created = Prospect.objects.bulk_create(prospects)
    # Each with its next action: a planned activity (the cards and rows show it).
    kind, _created = ActivityKind.objects.get_or_create(code="other", defaults={"label_ja": "その他"})
    Activity.objects.bulk_create(
        Activity(
            prospect=p,
            owner=p.owner,
            kind=kind,
            subject="call",
            starts_at=local_midnight(today - dt.timedelta(days=i % 3)),
            all_day=True,
        )
        for i, p in enumerate(created)
    )
    ClosingRecord.objects.bulk_create(
        ClosingRecord(prospect=p, question_text="q", answer="a", reading="positive", asked_by=p.owner)
        for p in created[::3]
    )


def _count(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def team_of_ten(personas):
    reps = [personas.owner, personas.teammate] + [make_user(role=Role.REP) for _ in range(8)]
    personas.team.members.add(*reps)
    return reps


@pytest.mark.parametrize(
    "who,url,params",
    [
        ("owner", "pipeline:board", {}),
        ("manager", "pipeline:board", {"scope": "TEAM"}),
        ("manager", "pipeline:month_list", {"scope": "TEAM"}),
        ("owner", "pipeline:month_list", {}),
        ("manager", "pipeline:forecast", {"scope": "TEAM"}),
        ("manager", "home", {}),
        ("owner", "home", {}),
    ],
)
def test_query_count_is_the_same_at_10_and_at_200_prospects(
    personas, team_of_ten, client, django_assert_num_queries, who, url, params
):
    params = {k: (f"team-{personas.team.pk}" if v == "TEAM" else v) for k, v in params.items()}
    owners = [personas.owner] if who == "owner" else team_of_ten
    client.force_login(getattr(personas, who))
    _fill(owners, 10)
    client.get(reverse(url), params)  # warm up the session (first request writes it)
    small = _count(client, reverse(url), params)
    _fill(owners, 200)
    assert Prospect.objects.count() > 200
    with django_assert_num_queries(small):
        response = client.get(reverse(url), params)
    assert response.status_code == 200


def test_a_big_teams_board_counts_every_prospect_and_shows_the_capped_cards(
    personas, team_of_ten, client, settings
):
    _fill(team_of_ten, 210)
    client.force_login(personas.manager)
    response = client.get(reverse("pipeline:board"), {"scope": f"team-{personas.team.pk}"})
    columns = response.context["columns"]
    assert sum(c.count for c in columns) == 211  # + the personas' prospect
    assert all(len(c.cards) == min(c.count, settings.BOARD_CARDS_PER_COLUMN) for c in columns)


def test_a_move_costs_the_same_queries_for_a_small_and_a_big_team(personas, team_of_ten, client):
    scope = f"team-{personas.team.pk}"
    client.force_login(personas.manager)
    _fill(team_of_ten, 10)
    p = personas.prospect
    url = reverse("pipeline:move", args=[p.pk])
    client.post(url, {"horizon": "short", "version": 1, "scope": scope}, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as small:
        client.post(url, {"horizon": "long", "version": 2, "scope": scope}, HTTP_HX_REQUEST="true")
    _fill(team_of_ten, 200)
    with CaptureQueriesContext(connection) as big:
        response = client.post(url, {"horizon": "mid", "version": 3, "scope": scope}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert len(big.captured_queries) == len(small.captured_queries)
