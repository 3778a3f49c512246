from decimal import Decimal

import pytest
from django.urls import reverse

from prospects.models import Horizon, Prospect
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _move(client, prospect, horizon, version=None, **extra):
    data = {"horizon": horizon, "version": version if version is not None else prospect.version, **extra}
    return client.post(reverse("pipeline:move", args=[prospect.pk]), data, **HX)


def test_moving_a_card_saves_the_horizon_bumps_the_version_and_records_history(personas, client):
    p = personas.prospect
    client.force_login(personas.owner)
    response = _move(client, p, Horizon.SHORT)
    assert response.status_code == 200
    p.refresh_from_db()
    assert p.horizon == Horizon.SHORT and p.version == 2
    events = list(p.events.order_by("pgh_id").values_list("horizon", flat=True))
    assert events[-2:] == ["mid", "short"]


def test_move_response_is_the_card_and_the_three_oob_headers_not_a_page(personas, client):
    p = personas.prospect
    client.force_login(personas.owner)
    body = _move(client, p, Horizon.LONG).content.decode()
    assert "<html" not in body and "<body" not in body
    assert f'id="card-{p.pk}"' in body and 'data-horizon="long"' in body
    for h in ("short", "mid", "long"):
        assert f'id="col-head-{h}" hx-swap-oob="true"' in body
    # The headers carry the new counts: the long column now holds the card.
    long_head = body.split('id="col-head-long"')[1].split("</header>")[0]
    assert 'data-count="1"' in long_head


def test_headers_of_the_response_follow_the_scope_and_filters_posted_with_the_move(personas, client):
    make_prospect(personas.teammate, horizon=Horizon.LONG)
    client.force_login(personas.manager)
    body = _move(client, personas.prospect, Horizon.LONG, scope=f"team-{personas.team.pk}").content.decode()
    long_head = body.split('id="col-head-long"')[1].split("</header>")[0]
    assert 'data-count="2"' in long_head


def test_stale_version_gives_409_and_changes_nothing(personas, client):
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(version=5, probability=70)  # someone saved meanwhile
    client.force_login(personas.owner)
    response = _move(client, p, Horizon.SHORT, version=1)
    assert response.status_code == 409
    p.refresh_from_db()
    assert p.horizon == Horizon.MID and p.version == 5
    body = response.content.decode()
    # The card comes back in its real column with the reason, and the current version to retry with.
    assert 'data-horizon="mid"' in body and 'name="version" value="5"' in body
    assert "alert conflict" in body and "<html" not in body


def test_another_reps_prospect_cannot_be_moved_404(personas, client):
    p = personas.prospect
    client.force_login(personas.teammate)
    assert _move(client, p, Horizon.SHORT).status_code == 404
    client.force_login(personas.other_manager)
    assert _move(client, p, Horizon.SHORT).status_code == 404
    p.refresh_from_db()
    assert p.horizon == Horizon.MID and p.version == 1


def test_a_manager_may_move_a_team_members_card(personas, client):
    client.force_login(personas.manager)
    assert _move(client, personas.prospect, Horizon.SHORT).status_code == 200


def test_invalid_horizon_is_422_with_a_reason(personas, client):
    client.force_login(personas.owner)
    response = _move(client, personas.prospect, "someday")
    assert response.status_code == 422
    assert "alert conflict" in response.content.decode()
    personas.prospect.refresh_from_db()
    assert personas.prospect.version == 1


def test_closed_prospect_cannot_be_moved_422(personas, client, today):
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(status="lost", closed_on=today, lost_reason="price")
    client.force_login(personas.owner)
    assert _move(client, p, Horizon.SHORT).status_code == 422


def test_foreign_scope_posted_with_a_move_is_404_and_nothing_is_saved(personas, client):
    client.force_login(personas.owner)
    response = _move(client, personas.prospect, Horizon.SHORT, scope=f"team-{personas.other_team.pk}")
    assert response.status_code == 404
    personas.prospect.refresh_from_db()
    assert personas.prospect.horizon == Horizon.MID


def test_without_htmx_the_move_redirects_back_to_the_board(personas, client):
    client.force_login(personas.owner)
    response = client.post(
        reverse("pipeline:move", args=[personas.prospect.pk]), {"horizon": "short", "version": 1}
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("pipeline:board"))


def test_quick_edit_saves_with_the_lock_and_returns_card_and_headers(personas, client):
    p = personas.prospect
    client.force_login(personas.owner)
    url = reverse("pipeline:card_edit", args=[p.pk])
    form = client.get(url, **HX).content.decode()
    assert 'name="probability"' in form and "<html" not in form
    response = client.post(
        url, {"probability": 85, "amount": "2000000", "expected_month": "2027-03", "version": 1}, **HX
    )
    assert response.status_code == 200
    p.refresh_from_db()
    assert (p.probability, p.amount, p.expected_month.isoformat(), p.version) == (
        85,
        Decimal("2000000"),
        "2027-03-01",
        2,
    )
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_quick_edit_conflict_is_409_and_keeps_the_other_save(personas, client):
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(version=3, amount=Decimal("42"))
    client.force_login(personas.owner)
    response = client.post(
        reverse("pipeline:card_edit", args=[p.pk]),
        {"probability": 85, "amount": "2000000", "expected_month": "", "version": 1},
        **HX,
    )
    assert response.status_code == 409
    p.refresh_from_db()
    assert p.amount == Decimal("42") and p.probability == 50


def test_quick_edit_validation_is_422(personas, client):
    client.force_login(personas.owner)
    response = client.post(
        reverse("pipeline:card_edit", args=[personas.prospect.pk]),
        {"probability": 150, "amount": "-1", "expected_month": "soon", "version": 1},
        **HX,
    )
    assert response.status_code == 422
    assert "has-error" in response.content.decode()


def test_quick_edit_of_another_reps_prospect_is_404(personas, client):
    client.force_login(personas.outsider)
    url = reverse("pipeline:card_edit", args=[personas.prospect.pk])
    assert client.get(url, **HX).status_code == 404
    assert client.post(url, {"probability": 1, "amount": 1, "version": 1}, **HX).status_code == 404
