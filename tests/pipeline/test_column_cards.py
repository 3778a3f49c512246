"""A board column shows its first cards; its "more" button adds the next ones after a cursor, through the
written-out SQL and the ORM alike, until the column is shown whole."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline import selectors
from pipeline.selectors import CARD_ORDER, BoardFilters, CardCursor, resolve_scope, weighted_expr
from prospects.models import Horizon, Prospect, Source, Status
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db

PER_COLUMN = 4


@pytest.fixture(autouse=True)
def few_cards(settings):
    settings.BOARD_CARDS_PER_COLUMN = PER_COLUMN


@pytest.fixture
def column(personas):
    """Eleven short prospects of the owner with ties in month and weighted amount, and no month."""
    owner = personas.owner
    months = [dt.date(2026, 12, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1), None]
    for i in range(11):
        make_prospect(
            owner,
            name=f"Short {i}",
            horizon=Horizon.SHORT,
            expected_month=months[i % 4],
            amount=Decimal("100000") * (1 + i % 3),
            probability=50,
            source=Source.REFERRAL if i % 2 else Source.INBOUND,
        )
    make_prospect(personas.teammate, name="Teammate's", horizon=Horizon.SHORT)
    make_prospect(
        owner,
        name="Won",
        horizon=Horizon.SHORT,
        status=Status.WON,
        closed_on=dt.date(2026, 11, 2),
        won_amount=1,
    )
    return owner


def expected_ids(owner_ids, **filters) -> list[int]:
    qs = Prospect.objects.filter(owner_id__in=owner_ids, status=Status.OPEN, horizon=Horizon.SHORT, **filters)
    return list(qs.annotate(weighted=weighted_expr()).order_by(*CARD_ORDER).values_list("pk", flat=True))


def card_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="card[^"]*" id="card-(\d+)"', html)]


def more_url(html: str, horizon: str = Horizon.SHORT) -> str | None:
    slot = re.search(rf'<div class="more-cards-slot" id="more-{horizon}"[^>]*>(.*?)</div>', html, re.S)
    assert slot, "every column has its more-cards slot"
    found = re.search(r'hx-get="([^"]+)"', slot.group(1))
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_more_button_adds_the_next_cards_until_the_column_is_whole(column, client):
    client.force_login(column)
    body = client.get(reverse("pipeline:board")).content.decode()
    section = body.split('id="cards-short"')[1].split('id="cards-mid"')[0]
    shown = card_ids(section)
    assert len(shown) == PER_COLUMN
    url = more_url(body)
    while url:
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        html = response.content.decode()
        shown += card_ids(html)
        assert 'hx-swap-oob="true"' in html  # the slot is replaced out of band
        url = more_url(html)
    assert shown == expected_ids([column.pk])  # every card once, in the board's order
    assert len(shown) == 11


def test_a_card_moved_away_meanwhile_makes_no_card_skipped(column, client):
    client.force_login(column)
    body = client.get(reverse("pipeline:board")).content.decode()
    order = expected_ids([column.pk])
    Prospect.objects.filter(pk=order[0]).update(horizon=Horizon.MID)  # the first card leaves the column
    html = client.get(more_url(body), headers={"HX-Request": "true"}).content.decode()
    assert card_ids(html) == order[PER_COLUMN : 2 * PER_COLUMN]


@pytest.mark.parametrize(
    "filters,orm",
    [
        (BoardFilters(), {}),
        (BoardFilters(source=Source.REFERRAL), {"source": Source.REFERRAL}),
        (BoardFilters(q="Short 1"), {"name__icontains": "Short 1"}),
        (BoardFilters(month_from=dt.date(2027, 1, 1)), {"expected_month__gte": dt.date(2027, 1, 1)}),
    ],
)
@pytest.mark.parametrize("viewer_name,raw", [("owner", ""), ("manager", "team")])
def test_the_sql_and_orm_paths_give_the_same_pages(personas, column, today, filters, orm, viewer_name, raw):
    viewer = getattr(personas, viewer_name)
    resolved = resolve_scope(viewer, f"team-{personas.team.pk}" if raw else "")
    unresolved = selectors.Scope(
        key=resolved.key, label=resolved.label, team=resolved.team, user=resolved.user
    )
    owners = [column.pk, personas.teammate.pk] if raw else [column.pk]
    expected = expected_ids(owners, **orm)
    assert len(expected) > PER_COLUMN or filters != BoardFilters()
    for scope in (resolved, unresolved):
        first = selectors.board_columns(viewer=viewer, scope=scope, filters=filters, today=today)[0]
        pages = [[c.pk for c in first.cards]]
        after = first.more_after
        while after is not None:
            cards, more = selectors.column_cards(
                viewer=viewer, scope=scope, filters=filters, horizon=Horizon.SHORT, after=after, today=today
            )
            pages.append([c.pk for c in cards])
            after = CardCursor.after(cards[-1]) if more else None
        assert [pk for page in pages for pk in page] == expected
        assert all(0 < len(page) <= PER_COLUMN for page in pages if expected)


@pytest.mark.parametrize(
    "params,reason",
    [
        ({"horizon": "soon", "after": "~1~1"}, "Unknown horizon"),
        ({"horizon": "short"}, "not valid"),
        ({"horizon": "short", "after": "garbage"}, "not valid"),
        ({"horizon": "short", "after": "2026-13-01~1~1"}, "not valid"),
        ({"horizon": "short", "after": "~NaN~1"}, "not valid"),
        ({"horizon": "short", "after": "~1~-3"}, "not valid"),
        ({"horizon": "short", "after": "~1e999999~1"}, "not valid"),
        ({"horizon": "short", "after": "~1000000000000000~1"}, "not valid"),
        ({"horizon": "short", "after": "~1~99999999999999999999"}, "not valid"),
        ({"horizon": "short", "after": "~1~1", "month_from": "last year"}, "filters are not valid"),
    ],
)
def test_bad_input_is_a_400_with_its_reason(personas, client, params, reason):
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("pipeline:column_cards"), params, headers={"HX-Request": "true"})
    # Invalid filters are form errors, which every page answers with 422 (salescrm.middleware).
    status = 422 if reason == "filters are not valid" else 400
    assert response.status_code == status and reason in response.content.decode()


def test_another_reps_column_is_a_404_for_a_rep(personas, column, client):
    client.force_login(personas.teammate)
    response = client.get(
        reverse("pipeline:column_cards"),
        {"scope": f"user-{column.pk}", "horizon": "short", "after": "~1~1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 404


def test_the_cursor_round_trips_and_a_whole_column_has_no_button(personas, client, today):
    cursor = CardCursor(dt.date(2026, 12, 1), Decimal("123456.78"), 42)
    assert CardCursor.parse(str(cursor)) == cursor
    assert CardCursor.parse(str(CardCursor(None, Decimal("0"), 7))) == CardCursor(None, Decimal("0"), 7)
    make_prospect(personas.owner, horizon=Horizon.LONG)
    client.force_login(personas.owner)
    body = client.get(reverse("pipeline:board")).content.decode()
    assert more_url(body, Horizon.LONG) is None and more_url(body, Horizon.MID) is None


def test_the_cursor_writes_its_weighted_amount_without_trailing_zeros():
    cursor = CardCursor(None, Decimal("4500000.000000000000"), 113)
    assert str(cursor) == "~4500000~113" and CardCursor.parse(str(cursor)) == cursor
    assert str(CardCursor(None, Decimal("1234.5600"), 1)) == "~1234.56~1"
