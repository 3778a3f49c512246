import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pipeline.models import ForecastSnapshot
from pipeline.selectors import all_scope, snapshot_accuracy, team_scope, user_scope
from pipeline.services import snapshot_take, snapshot_take_all
from prospects.models import Horizon, Prospect
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


@pytest.fixture
def listed(personas):
    owner = personas.owner
    owner.prospects.all().delete()
    return {
        "win": make_prospect(
            owner, name="win", expected_month=NOV, amount=Decimal("1000000"), probability=80
        ),
        "lose": make_prospect(
            owner, name="lose", expected_month=NOV, amount=Decimal("500000"), probability=50
        ),
        "slip": make_prospect(
            owner, name="slip", expected_month=NOV, amount=Decimal("300000"), probability=30
        ),
        "stay": make_prospect(
            owner, name="stay", horizon=Horizon.SHORT, amount=Decimal("200000"), probability=60
        ),
        "later": make_prospect(owner, name="later", expected_month=dt.date(2026, 12, 1)),
    }


def test_snapshot_remembers_the_list_and_is_idempotent(personas, listed):
    scope = user_scope(personas.owner)
    snapshot, created = snapshot_take(scope=scope, month=NOV)
    assert created
    assert set(snapshot.lines.values_list("name", flat=True)) == {"win", "lose", "slip", "stay"}
    line = snapshot.lines.get(name="win")
    assert (line.amount, line.probability, line.weighted) == (Decimal("1000000"), 80, Decimal("800000"))
    make_prospect(personas.owner, name="new", expected_month=NOV)
    again, created = snapshot_take(scope=scope, month=NOV)
    assert not created and again.pk == snapshot.pk and again.lines.count() == 4


def test_one_snapshot_per_scope_and_month_in_the_database(personas):
    ForecastSnapshot.objects.create(scope="all", month=NOV)
    with pytest.raises(IntegrityError), transaction.atomic():
        ForecastSnapshot.objects.create(scope="all", month=NOV)


def test_accuracy_tells_won_lost_slipped_still_open_and_added(personas, listed):
    snapshot, _ = snapshot_take(scope=user_scope(personas.owner), month=NOV)
    Prospect.objects.filter(pk=listed["win"].pk).update(
        status="won", closed_on=dt.date(2026, 11, 20), won_amount=Decimal("900000")
    )
    Prospect.objects.filter(pk=listed["lose"].pk).update(
        status="lost", closed_on=dt.date(2026, 11, 10), lost_reason="price"
    )
    Prospect.objects.filter(pk=listed["slip"].pk).update(expected_month=dt.date(2027, 1, 1))
    added = make_prospect(personas.owner, name="added", expected_month=NOV)
    surprise = make_prospect(
        personas.owner,
        name="surprise",
        status="won",
        closed_on=dt.date(2026, 11, 2),
        won_amount=Decimal("50000"),
    )
    make_prospect(personas.outsider, name="foreign", expected_month=NOV)
    acc = snapshot_accuracy(snapshot=snapshot, viewer=personas.owner)
    assert [line.name for line in acc.won] == ["win"]
    assert [line.name for line in acc.lost] == ["lose"]
    assert [line.name for line in acc.slipped] == ["slip"]
    assert [line.name for line in acc.still_open] == ["stay"]
    assert {p.name for p in acc.added} == {added.name, surprise.name}
    # Forecast: 4 prospects, 2,000,000 total, 800,000+250,000+90,000+120,000 weighted.
    assert (acc.forecast_count, acc.forecast_amount, acc.forecast_weighted) == (
        4,
        Decimal("2000000"),
        Decimal("1260000"),
    )
    # Actual: everything won in the month, 900,000 + 50,000.
    assert (acc.actual_count, acc.actual_amount) == (2, Decimal("950000"))
    assert acc.hit_rate == Decimal(25)
    assert acc.amount_ratio == Decimal(75)  # 950000 / 1260000 = 75.4 %


def test_manager_takes_a_snapshot_with_the_button_and_sees_accuracy(personas, listed, client):
    client.force_login(personas.manager)
    scope = f"team-{personas.team.pk}"
    response = client.post(reverse("pipeline:snapshot_create"), {"scope": scope, "month": "2026-11"})
    snapshot = ForecastSnapshot.objects.get(scope=scope, month=NOV)
    assert response.status_code == 302 and response["Location"] == reverse(
        "pipeline:snapshot", args=[snapshot.pk]
    )
    assert (
        client.post(reverse("pipeline:snapshot_create"), {"scope": scope, "month": "2026-11"}).status_code
        == 302
    )
    assert ForecastSnapshot.objects.filter(scope=scope).count() == 1
    body = client.get(reverse("pipeline:snapshot", args=[snapshot.pk])).content.decode()
    assert 'id="forecast-count">4<' in body


def test_a_rep_cannot_take_snapshots_and_cannot_see_another_scope(personas, listed, client):
    client.force_login(personas.owner)
    response = client.post(reverse("pipeline:snapshot_create"), {"scope": f"user-{personas.owner.pk}"})
    assert response.status_code == 403
    snapshot, _ = snapshot_take(scope=team_scope(personas.other_team), month=NOV)
    assert client.get(reverse("pipeline:snapshot", args=[snapshot.pk])).status_code == 404
    client.force_login(personas.other_manager)
    own_team_snapshot, _ = snapshot_take(scope=team_scope(personas.team), month=NOV)
    assert client.get(reverse("pipeline:snapshot", args=[own_team_snapshot.pk])).status_code == 404


def test_monthly_job_snapshots_every_scope_once(personas, listed):
    created = snapshot_take_all(month=NOV)
    assert ForecastSnapshot.objects.filter(scope="all", month=NOV).exists()
    assert ForecastSnapshot.objects.filter(scope=f"team-{personas.team.pk}", month=NOV).exists()
    assert ForecastSnapshot.objects.filter(scope=f"user-{personas.owner.pk}", month=NOV).exists()
    assert created == ForecastSnapshot.objects.count()
    assert snapshot_take_all(month=NOV) == 0
    all_lines = ForecastSnapshot.objects.get(scope="all", month=NOV).lines.count()
    assert all_lines == 4 and all_scope().is_all
