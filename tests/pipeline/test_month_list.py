import csv
import datetime as dt
import io
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from closing.models import TestClosing as ClosingRecord
from pipeline.models import RankBands
from pipeline.selectors import month_list, team_scope, user_scope
from prospects.models import Horizon
from targets.models import PipelineTarget
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


@pytest.fixture
def boundary(personas):
    owner = personas.owner
    owner.prospects.all().delete()
    return {
        "nov": make_prospect(owner, name="Nov deal", expected_month=NOV, horizon=Horizon.SHORT),
        "dec": make_prospect(owner, name="Dec deal", expected_month=DEC, horizon=Horizon.SHORT),
        "nomonth_short": make_prospect(owner, name="Short no month", horizon=Horizon.SHORT),
        "nomonth_mid": make_prospect(owner, name="Mid no month", horizon=Horizon.MID),
        "oct": make_prospect(owner, name="Oct deal", expected_month=dt.date(2026, 10, 1)),
    }


def _names(data):
    return {p.name for p in data.rows}


def test_month_list_includes_the_month_short_without_month_and_what_is_overdue(personas, boundary):
    data = month_list(
        viewer=personas.owner, scope=user_scope(personas.owner), month=NOV, today=dt.date(2026, 11, 30)
    )
    # October's open deal is due and carried into the current month; mid term without a month is not.
    assert _names(data) == {"Nov deal", "Short no month", "Oct deal"}


@pytest.mark.parametrize(
    "now_utc,expected",
    [
        # 2026-11-30 23:59 in Tokyo: still November; December's deal is excluded.
        (dt.datetime(2026, 11, 30, 14, 59, tzinfo=dt.UTC), {"Nov deal", "Short no month", "Oct deal"}),
        # 2026-12-01 00:00 in Tokyo (still Nov 30 in UTC): the default month is December, and
        # November's open deal is carried into it.
        (
            dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC),
            {"Dec deal", "Short no month", "Nov deal", "Oct deal"},
        ),
    ],
)
def test_default_month_follows_tokyo_at_the_month_boundary(personas, boundary, client, now_utc, expected):
    client.force_login(personas.owner)
    # The view takes "today" from timezone.localdate() (Asia/Tokyo); freeze that instant.
    with mock.patch("django.utils.timezone.now", return_value=now_utc):
        local_today = timezone.localdate()
    assert local_today == now_utc.astimezone(TOKYO).date()
    with mock.patch("django.utils.timezone.localdate", return_value=local_today):
        response = client.get(reverse("pipeline:month_list"))
    assert {p.name for p in response.context["data"].rows} == expected


def test_rows_are_sorted_by_weighted_amount_and_carry_the_last_test_closing(personas):
    owner = personas.owner
    owner.prospects.all().delete()
    small = make_prospect(owner, name="small", expected_month=NOV, amount=Decimal("1000000"), probability=90)
    big = make_prospect(owner, name="big", expected_month=NOV, amount=Decimal("5000000"), probability=30)
    ClosingRecord.objects.create(
        prospect=big,
        question_text="Q1",
        answer="old",
        reading="negative",
        asked_by=owner,
        asked_at=timezone.now() - dt.timedelta(days=5),
    )
    ClosingRecord.objects.create(
        prospect=big,
        question_text="来月ならどうですか",
        answer="前向きです",
        reading="positive",
        asked_by=owner,
    )
    data = month_list(viewer=owner, scope=user_scope(owner), month=NOV, today=dt.date(2026, 11, 5))
    assert [p.name for p in data.rows] == ["big", "small"]
    assert data.rows[0].last_tc_answer == "前向きです" and data.rows[0].last_tc_reading == "positive"
    assert data.rows[1].last_tc_on is None
    del small


def test_totals_per_rep_and_scope_with_cumulative_rank_bands(personas):
    owner, mate = personas.owner, personas.teammate
    owner.prospects.all().delete()
    make_prospect(owner, expected_month=NOV, amount=Decimal("1000000"), probability=80)  # A
    make_prospect(owner, expected_month=NOV, amount=Decimal("2000000"), probability=50)  # B
    make_prospect(mate, expected_month=NOV, amount=Decimal("3000000"), probability=10)  # C
    make_prospect(mate, expected_month=NOV, amount=Decimal("9"), probability=79)  # B (below 80)
    make_prospect(owner, status="won", closed_on=dt.date(2026, 11, 3), won_amount=Decimal("400000"))
    make_prospect(owner, status="won", closed_on=dt.date(2026, 10, 31), won_amount=Decimal("999"))
    make_prospect(personas.outsider, expected_month=NOV, amount=Decimal("77777"))  # other team
    PipelineTarget.objects.create(team=personas.team, sales_target=Decimal("5000000"))
    data = month_list(
        viewer=personas.manager, scope=team_scope(personas.team), month=NOV, today=dt.date(2026, 11, 5)
    )
    total = data.total
    assert (total.count, total.amount) == (4, Decimal("6000009"))
    assert total.weighted == Decimal("800000") + Decimal("1000000") + Decimal("300000") + Decimal("7.11")
    assert total.won == Decimal("400000") and total.won_count == 1
    assert [row.running for row in total.band_rows] == [
        Decimal("400000"),
        Decimal("1400000"),
        Decimal("3400009"),
        Decimal("6400009"),
    ]
    assert total.sales_target == Decimal("5000000")
    assert [row.pct for row in total.band_rows] == [8, 28, 68, 128]
    assert [row.added for row in total.band_rows] == [
        Decimal("400000"),
        Decimal("1000000"),
        Decimal("2000009"),
        Decimal("3000000"),
    ]
    per_rep = {t.owner_id: t for t in data.per_rep}
    assert per_rep[owner.pk].count == 2 and per_rep[owner.pk].won == Decimal("400000")
    assert per_rep[mate.pk].amount == Decimal("3000009") and per_rep[mate.pk].won == Decimal(0)
    assert personas.outsider.pk not in per_rep


def test_rank_bands_setting_changes_the_reading(personas):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, expected_month=NOV, amount=Decimal("100"), probability=60)
    RankBands.objects.update_or_create(pk=1, defaults={"a_min": 60, "b_min": 30})
    data = month_list(viewer=owner, scope=user_scope(owner), month=NOV, today=NOV)
    assert data.rows[0].rank == "A" and data.total.rank_amount["A"] == Decimal("100")


def _csv_body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_csv_export_has_a_bom_by_default(personas, client):
    make_prospect(personas.owner, name="株式会社テスト", expected_month=NOV)
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:month_list"), {"month": "2026-11", "format": "csv"})
    body = _csv_body(response)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "担当者" and any("株式会社テスト" in r for r in rows[1:])


def test_csv_export_in_cp932_decodes_as_cp932(personas, client):
    make_prospect(personas.owner, name="株式会社テスト", expected_month=NOV)
    client.force_login(personas.owner)
    response = client.get(
        reverse("pipeline:month_list"), {"month": "2026-11", "format": "csv", "encoding": "cp932"}
    )
    body = _csv_body(response)
    assert not body.startswith(b"\xef\xbb\xbf")
    text = body.decode("cp932")
    assert "株式会社テスト" in text and "確度加味金額" in text
    assert "株式会社テスト".encode("cp932") in body


def test_xlsx_export(personas, client):
    from openpyxl import load_workbook

    make_prospect(personas.owner, name="株式会社テスト", expected_month=NOV)
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:month_list"), {"month": "2026-11", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [c.value for row in workbook.active.iter_rows() for c in row]
    assert "株式会社テスト" in values


def test_print_view_is_the_list_with_the_print_class(personas, client):
    client.force_login(personas.owner)
    body = client.get(reverse("pipeline:month_list"), {"print": "1"}).content.decode()
    assert 'class="print-view"' in body and "css/pipeline.css" in body


def test_print_css_asks_for_a4_landscape():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "pipeline.css").read_text()
    assert "@page { size: A4 landscape" in css


def test_bad_month_is_404_not_500(personas, client):
    client.force_login(personas.owner)
    assert client.get(reverse("pipeline:month_list"), {"month": "2026-13"}).status_code == 404
