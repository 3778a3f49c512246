"""The monthly list shows a page of rows; its totals, print view and exports cover every row."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline.selectors import month_list, user_scope
from prospects.models import Horizon
from salescrm.lib.months import add_months
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(personas, month):
    owner = personas.owner
    owner.prospects.all().delete()
    # Weighted amounts 7000, 6000, ... 1000: the sort order is known.
    return [
        make_prospect(
            owner,
            name=f"Deal {n}",
            expected_month=month,
            horizon=Horizon.SHORT,
            probability=10,
            amount=Decimal(n * 10000),
        )
        for n in range(7, 0, -1)
    ]


def test_pages_split_the_rows_in_weighted_order_and_totals_cover_every_row(personas, seven, month, today):
    scope = user_scope(personas.owner)
    first = month_list(viewer=personas.owner, scope=scope, month=month, today=today, page=1, page_size=3)
    last = month_list(viewer=personas.owner, scope=scope, month=month, today=today, page=3, page_size=3)
    assert [p.name for p in first.rows] == ["Deal 7", "Deal 6", "Deal 5"]
    assert [p.name for p in last.rows] == ["Deal 1"]
    assert (first.pages, first.next_page, first.previous_page) == (3, 2, None)
    assert (last.page, last.next_page, last.previous_page) == (3, None, 2)
    for data in (first, last):
        assert data.total.count == 7
        assert data.total.amount == Decimal(280000)  # 10,000 x (1 + ... + 7)
        assert data.per_rep[0].count == 7


def test_a_page_beyond_the_last_shows_the_last(personas, seven, month, today):
    data = month_list(
        viewer=personas.owner,
        scope=user_scope(personas.owner),
        month=month,
        today=today,
        page=99,
        page_size=3,
    )
    assert data.page == 3 and [p.name for p in data.rows] == ["Deal 1"]


def test_the_screen_pages_and_the_print_view_and_csv_carry_every_row(personas, seven, client, settings):
    settings.MONTH_LIST_PAGE_SIZE = 3
    client.force_login(personas.owner)
    url = reverse("pipeline:month_list")
    screen = client.get(url)
    assert [p.name for p in screen.context["data"].rows] == ["Deal 7", "Deal 6", "Deal 5"]
    body = screen.content.decode()
    assert "page=2" in body and "Deal 4" not in body
    second = client.get(url, {"page": "2"})
    assert [p.name for p in second.context["data"].rows] == ["Deal 4", "Deal 3", "Deal 2"]
    # Garbage page numbers fall back to the first page instead of an error.
    for bad in ("abc", "-1", "0", "99999999999999999999"):
        assert client.get(url, {"page": bad}).status_code == 200
    printed = client.get(url, {"print": "1"})
    assert len(printed.context["data"].rows) == 7
    exported = client.get(url, {"format": "csv"})
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert len(lines) == 1 + 7


def test_month_list_rows_escape_user_text(personas, month, client):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(
        owner,
        name="<script>alert(1)</script>",
        expected_month=month,
        next_activity='"><img src=x>',
    )
    client.force_login(owner)
    body = client.get(reverse("pipeline:month_list")).content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '"><img src=x>' not in body


def test_the_month_lists_snapshot_lookup(personas, month):
    from pipeline.models import ForecastSnapshot
    from pipeline.services import snapshot_take

    scope = user_scope(personas.owner)
    assert ForecastSnapshot.for_month(scope.key, month) is None
    snapshot, _created = snapshot_take(scope=scope, month=month)
    assert ForecastSnapshot.for_month(scope.key, month) == snapshot
    assert ForecastSnapshot.for_month("team-999", month) is None


def test_the_bands_and_the_snapshot_are_read_once_per_scope(personas, month, django_assert_num_queries):
    from pipeline.models import RankBands
    from pipeline.selectors import team_scope
    from pipeline.services import snapshot_take

    taken, _created = snapshot_take(scope=team_scope(personas.team), month=month)
    RankBands.objects.update_or_create(pk=RankBands.SINGLETON_PK, defaults={"a_min": 75, "b_min": 45})
    for scope, expected in ((team_scope(personas.team), taken), (user_scope(personas.owner), None)):
        bands, _target = scope.bands_and_target()
        snapshot = scope.snapshot(month)
        with django_assert_num_queries(0):
            assert scope.bands_and_target()[0] is bands and scope.snapshot(month) is snapshot
        assert (bands.a_min, bands.b_min) == (75, 45)
        if expected is None:
            assert snapshot is None
        else:
            assert (snapshot.pk, snapshot.taken_at, snapshot.scope, snapshot.month) == (
                expected.pk,
                expected.taken_at,
                expected.scope,
                expected.month,
            )
        # Another month: its own lookup.
        with django_assert_num_queries(1):
            assert scope.snapshot(add_months(month, 1)) is None


def test_the_month_list_page_links_its_snapshot(personas, month, client):
    from pipeline.selectors import team_scope
    from pipeline.services import snapshot_take

    taken, _created = snapshot_take(scope=team_scope(personas.team), month=month)
    client.force_login(personas.manager)
    body = client.get(
        reverse("pipeline:month_list"),
        {"scope": f"team-{personas.team.pk}", "month": month.strftime("%Y-%m")},
    ).content.decode()
    assert reverse("pipeline:snapshot", args=[taken.pk]) in body
