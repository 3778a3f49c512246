from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline.selectors import BoardFilters, board_columns, user_scope, yen
from prospects.models import Horizon, Source
from targets.models import PipelineTarget
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def _col(columns, horizon):
    return next(c for c in columns if c.horizon == horizon)


def test_column_totals_and_weighted_amounts_match_hand_computed_values(personas, today):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, horizon=Horizon.SHORT, amount=Decimal("333333"), probability=33)  # 109999.89
    make_prospect(owner, horizon=Horizon.SHORT, amount=Decimal("1000001"), probability=15)  # 150000.15
    make_prospect(owner, horizon=Horizon.SHORT, amount=Decimal("10.50"), probability=50)  # 5.25
    make_prospect(owner, horizon=Horizon.MID, amount=Decimal("2500000"), probability=80)  # 2000000
    make_prospect(owner, horizon=Horizon.MID, amount=Decimal("999"), probability=0)
    make_prospect(
        owner,
        horizon=Horizon.SHORT,
        amount=Decimal("7777777"),
        probability=90,
        status="won",
        closed_on=today,
        won_amount=Decimal("7777777"),
    )
    columns = board_columns(viewer=owner, scope=user_scope(owner), filters=BoardFilters(), today=today)
    short, mid, long = (_col(columns, h) for h in ("short", "mid", "long"))
    assert (short.count, short.amount) == (3, Decimal("1333344.50"))
    # 109999.89 + 150000.15 + 5.25 = 260005.29 exactly, shown as ¥260,005
    assert short.weighted == Decimal("260005.29")
    assert yen(short.weighted) == Decimal("260005")
    assert (mid.count, mid.amount, mid.weighted) == (2, Decimal("2500999"), Decimal("2000000"))
    assert (long.count, long.amount, long.weighted) == (0, Decimal(0), Decimal(0))
    assert len(short.cards) == 3 and len(mid.cards) == 2


def test_half_yen_rounds_up_in_the_header(personas, client):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, horizon=Horizon.LONG, amount=Decimal("101"), probability=50)  # 50.5 -> ¥51
    client.force_login(owner)
    body = client.get(reverse("pipeline:board")).content.decode()
    assert "¥51<" in body


def test_header_shows_the_count_against_the_reps_target(personas, client):
    PipelineTarget.objects.create(user=personas.owner, min_open=10, min_mid=3)
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:board"))
    cols = {c.horizon: c for c in response.context["columns"]}
    assert cols["mid"].target == 3 and cols["mid"].count == 1 and cols["mid"].below_target
    assert cols["short"].target is None
    assert 'id="col-head-mid"' in response.content.decode()


def test_team_scope_uses_the_team_target(personas, client):
    PipelineTarget.objects.create(team=personas.team, min_open=10, min_short=4)
    client.force_login(personas.manager)
    response = client.get(reverse("pipeline:board"), {"scope": f"team-{personas.team.pk}"})
    cols = {c.horizon: c for c in response.context["columns"]}
    assert cols["short"].target == 4


def test_filters_narrow_the_board_and_its_totals(personas, client):
    make_prospect(
        personas.owner,
        name="展示会の客",
        source=Source.EXHIBITION,
        horizon=Horizon.MID,
        amount=Decimal("500"),
    )
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:board"), {"source": "exhibition"})
    mid = {c.horizon: c for c in response.context["columns"]}["mid"]
    assert mid.count == 1 and mid.amount == Decimal("500")
    response = client.get(reverse("pipeline:board"), {"q": "山田"})
    mid = {c.horizon: c for c in response.context["columns"]}["mid"]
    assert [p.name for p in mid.cards] == ["山田工務店"]


def test_htmx_filter_request_gets_only_the_board_fragment(personas, client):
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:board"), {"q": "x"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'id="board"' in body


def test_card_shows_rank_slips_and_marks(personas, client, today, month):
    from salescrm.lib.months import add_months

    p = make_prospect(
        personas.owner,
        name="Late one",
        probability=85,
        expected_month=add_months(month, -1),
        horizon=Horizon.SHORT,
    )
    p.expected_month_slips = 2
    p.save()
    fresh = make_prospect(
        personas.owner, name="Planned", probability=20, next_activity="Call", next_activity_on=today
    )
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:board"))
    cards = {c.name: c for col in response.context["columns"] for c in col.cards}
    assert cards["Late one"].rank == "A" and cards["Late one"].month_passed and cards["Late one"].flagged
    assert cards["Planned"].rank == "C" and not cards["Planned"].flagged and not cards["Planned"].stale
    body = response.content.decode()
    assert f'id="card-{p.pk}"' in body and "card flagged" in body
    assert f'id="card-{fresh.pk}"' in body


def test_a_future_next_action_keeps_an_old_card_from_being_stale(personas, today):
    import datetime as dt

    from activities.selectors import next_activity_columns
    from pipeline.models import RankBands
    from pipeline.selectors import decorate
    from prospects.models import Prospect

    # A next action is a planned activity (the factory plans one, as migration activities 0003 did).
    p = make_prospect(personas.owner, next_activity="Visit", next_activity_on=today + dt.timedelta(days=3))
    Prospect.objects.filter(pk=p.pk).update(updated_at=p.updated_at - dt.timedelta(days=90))
    p = Prospect.objects.annotate(**next_activity_columns()).get(pk=p.pk)
    assert decorate(p, RankBands.load(), today).stale is False
    p.next_activity_at = None
    assert decorate(p, RankBands.load(), today).stale is True
