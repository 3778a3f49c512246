"""A card the rep just moved or edited stays in view after a reload, even past a column's first cards,
and every confirmation names the prospect it is about."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from prospects.models import Horizon
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
SOON = dt.date(2026, 1, 1)  # before any month the moved card has: the card order puts these first


@pytest.fixture
def crowded(personas, settings):
    """A short-term column whose first two cards (the shown ones) are not the card that moves in."""
    settings.BOARD_CARDS_PER_COLUMN = 2
    owner = personas.owner
    owner.prospects.all().delete()
    for i in range(4):
        make_prospect(
            owner, name=f"早い案件{i}", horizon=Horizon.SHORT, expected_month=SOON, amount=Decimal(1000 + i)
        )
    return make_prospect(owner, name="動かす案件", horizon=Horizon.MID, expected_month=dt.date(2027, 6, 1))


def _short_cards(client):
    columns = client.get(reverse("pipeline:board")).context["columns"]
    return [c.pk for c in columns[0].cards], columns[0]


def test_a_moved_card_stays_in_view_after_a_reload(personas, client, crowded):
    client.force_login(personas.owner)
    before, _column = _short_cards(client)
    assert crowded.pk not in before and len(before) == 2
    response = client.post(
        reverse("pipeline:move", args=[crowded.pk]), {"horizon": "short", "version": crowded.version}, **HX
    )
    assert response.status_code == 200
    after, column = _short_cards(client)  # the reload
    assert after == [*before, crowded.pk]
    assert column.count == 5 and getattr(column.cards[-1], "pinned", False)
    body = client.get(reverse("pipeline:board")).content.decode()
    card = body[body.index(f'id="card-{crowded.pk}"') - 200 : body.index(f'id="card-{crowded.pk}"')]
    assert "pinned" in card
    # The column's "more" button does not bring it a second time.
    more = client.get(
        reverse("pipeline:column_cards"),
        {"horizon": "short", "after": str(column.more_after), "scope": f"user-{personas.owner.pk}"},
        **HX,
    ).content.decode()
    assert f'id="card-{crowded.pk}"' not in more
    assert more.count('<article class="card') == 2


def test_an_edited_card_stays_in_view_and_a_card_filtered_out_does_not_come_back(personas, client, crowded):
    client.force_login(personas.owner)
    crowded.horizon = Horizon.SHORT
    crowded.save()
    client.post(
        reverse("pipeline:card_edit", args=[crowded.pk]),
        {"probability": 40, "amount": "5000", "expected_month": "2027-06", "version": crowded.version},
        **HX,
    )
    after, _column = _short_cards(client)
    assert after[-1] == crowded.pk
    filtered = client.get(reverse("pipeline:board"), {"q": "早い"}).context["columns"][0]
    assert crowded.pk not in [c.pk for c in filtered.cards]


def test_the_confirmations_name_the_prospect(personas, client, crowded):
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    htmx = client.post(
        reverse("pipeline:move", args=[crowded.pk]), {"horizon": "short", "version": crowded.version}, **HX
    ).content.decode()
    assert 'id="board-status"' in htmx and "Moved “動かす案件” to Short term." in htmx
    crowded.refresh_from_db()
    plain = client.post(
        reverse("pipeline:move", args=[crowded.pk]), {"horizon": "mid", "version": crowded.version}
    )
    assert plain.status_code == 302 and plain["Location"].endswith(f"#card-{crowded.pk}")
    page = client.get(plain["Location"]).content.decode()
    assert "Moved “動かす案件” to Mid term." in page
    crowded.refresh_from_db()
    saved = client.post(
        reverse("pipeline:card_edit", args=[crowded.pk]),
        {"probability": 40, "amount": "5000", "expected_month": "", "version": crowded.version},
    )
    assert "Saved “動かす案件”." in client.get(saved["Location"]).content.decode()
