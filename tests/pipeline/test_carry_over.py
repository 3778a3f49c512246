"""The forecast meeting sees every deal that is due: the current month's list carries the open deals
whose expected month has passed, marked with that month, in its rows, totals, snapshot and accuracy.
A hand-made November with known answers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline.selectors import month_list, snapshot_accuracy, user_scope
from pipeline.services import snapshot_take
from prospects.models import Horizon, Prospect
from salescrm.lib.months import add_months
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db
SEP, OCT, NOV, DEC = (dt.date(2026, m, 1) for m in (9, 10, 11, 12))
IN_NOVEMBER, IN_DECEMBER = dt.date(2026, 11, 10), dt.date(2026, 12, 5)


@pytest.fixture
def deals(personas):
    owner = personas.owner
    owner.prospects.all().delete()
    make = make_prospect
    return {
        "nov": make(owner, name="nov", expected_month=NOV, amount=Decimal("1000000"), probability=80),
        "oct": make(owner, name="oct", expected_month=OCT, amount=Decimal("2000000"), probability=50),
        "sep": make(owner, name="sep", expected_month=SEP, amount=Decimal("500000"), probability=20),
        "dec": make(owner, name="dec", expected_month=DEC, amount=Decimal("700000"), probability=90),
        "oct_won": make(
            owner,
            name="oct won",
            expected_month=OCT,
            status="won",
            closed_on=dt.date(2026, 10, 30),
            won_amount=Decimal("100"),
        ),
        "mid": make(owner, name="mid, no month", horizon=Horizon.MID),
    }


def _list(personas, month, today):
    return month_list(viewer=personas.owner, scope=user_scope(personas.owner), month=month, today=today)


def test_the_current_month_carries_every_open_overdue_deal_marked_with_its_month(personas, deals):
    data = _list(personas, NOV, IN_NOVEMBER)
    assert {p.name: p.carried_from for p in data.rows} == {"nov": None, "oct": OCT, "sep": SEP}
    assert data.carries_over
    total = data.total
    assert (total.count, total.amount) == (3, Decimal("3500000"))
    assert (total.carried_count, total.carried_amount) == (2, Decimal("2500000"))
    assert total.weighted == Decimal("800000") + Decimal("1000000") + Decimal("100000")
    # The carried deals count in their rank bands: A 1,000,000, B 2,000,000, C 500,000.
    assert [row.added for row in total.band_rows] == [
        0,
        Decimal("1000000"),
        Decimal("2000000"),
        Decimal("500000"),
    ]
    # The bands say how much of each rank's amount is carried over: B is October's, C September's.
    assert [row.carried for row in total.band_rows] == [0, 0, Decimal("2000000"), Decimal("500000")]
    (rep,) = data.per_rep
    assert (rep.carried_count, rep.carried_amount) == (2, Decimal("2500000"))


def test_a_past_or_future_month_carries_nothing(personas, deals):
    past = _list(personas, NOV, IN_DECEMBER)
    assert {p.name for p in past.rows} == {"nov"} and not past.carries_over
    assert past.total.carried_count == 0
    future = _list(personas, DEC, IN_NOVEMBER)
    assert {p.name for p in future.rows} == {"dec"}
    # In December, November's and the earlier open deals are carried into December's list.
    december = _list(personas, DEC, IN_DECEMBER)
    assert {p.name: p.carried_from for p in december.rows} == {
        "dec": None,
        "nov": NOV,
        "oct": OCT,
        "sep": SEP,
    }


def test_the_snapshot_keeps_the_carried_deals_and_accuracy_follows_them(personas, deals):
    snapshot, _created = snapshot_take(
        scope=user_scope(personas.owner), month=NOV, today=dt.date(2026, 11, 1)
    )
    assert set(snapshot.lines.values_list("name", flat=True)) == {"nov", "oct", "sep"}
    Prospect.objects.filter(pk=deals["oct"].pk).update(
        status="won", closed_on=dt.date(2026, 11, 20), won_amount=Decimal("1900000")
    )
    Prospect.objects.filter(pk=deals["sep"].pk).update(expected_month=DEC)  # slipped again
    late = make_prospect(personas.owner, name="found overdue", expected_month=OCT)
    acc = snapshot_accuracy(snapshot=snapshot, viewer=personas.owner)
    assert [line.name for line in acc.won] == ["oct"]
    assert [line.name for line in acc.slipped] == ["sep"]
    assert [line.name for line in acc.still_open] == ["nov"]
    assert [p.pk for p in acc.added] == [late.pk]  # overdue in November: on November's list, added
    assert acc.hit_rate == Decimal("33") and acc.actual_amount == Decimal("1900000")


def test_the_page_states_the_rule_and_marks_the_carried_row(personas, client, month):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, name="overdue deal", expected_month=add_months(month, -2), amount=Decimal("300000"))
    make_prospect(owner, name="this month", expected_month=month)
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("pipeline:month_list")).content.decode()
    assert "also carries every open prospect whose expected month has passed" in body
    assert body.count('class="badge carried-from"') == 1
    assert "were carried over" in body or "was carried over" in body
    assert "of which ¥300,000 carried over" in body
    previous = client.get(reverse("pipeline:month_list"), {"month": add_months(month, -1).strftime("%Y-%m")})
    assert "also carries every open prospect" not in previous.content.decode()


def test_the_export_names_the_month_a_row_slipped_from(personas, client, month):
    import csv
    import io

    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, name="overdue deal", expected_month=add_months(month, -1))
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("pipeline:month_list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    column = rows[0].index("Carried over from")
    assert rows[1][column] == add_months(month, -1).strftime("%Y-%m")


def test_a_band_that_adds_nothing_says_why_it_equals_the_line_above(personas, client, month):
    owner = personas.owner
    owner.prospects.all().delete()
    # Only rows of 50% or more: C adds nothing, so + C equals + B.
    make_prospect(owner, name="a", expected_month=month, amount=Decimal("1000000"), probability=90)
    make_prospect(owner, name="b", expected_month=month, amount=Decimal("400000"), probability=60)
    data = _list(personas, month, month)
    rows = {row.rank: row for row in data.total.band_rows}
    assert rows["C"].adds_nothing and rows["C"].running == rows["B"].running
    assert not rows["A"].adds_nothing and not rows["B"].adds_nothing
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("pipeline:month_list")).content.decode()
    assert "No listed prospect is in rank C: this line equals the one above." in body
    assert "No listed prospect is in rank B" not in body
    assert "+¥400,000" in body  # what + B adds, beside the running total


def test_the_two_csv_downloads_have_different_file_names(personas, client, month):
    client.force_login(personas.owner)
    names = set()
    for encoding in ("utf-8-sig", "cp932"):
        response = client.get(reverse("pipeline:month_list"), {"format": "csv", "encoding": encoding})
        names.add(response["Content-Disposition"])
    xlsx = client.get(reverse("pipeline:month_list"), {"format": "xlsx"})["Content-Disposition"]
    assert len(names) == 2 and all(".csv" in name for name in names) and ".xlsx" in xlsx
    assert any("sjis" in name for name in names)


def test_the_carry_over_reads_in_japanese(personas, client, month):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, name="遅れた案件", expected_month=add_months(month, -1), amount=Decimal("300000"))
    client.force_login(owner)
    client.cookies["django_language"] = "ja"
    body = client.get(reverse("pipeline:month_list")).content.decode()
    assert "受注予定月を過ぎた商談中の見込み客もすべて" in body
    assert "から持ち越し" in body and "うち1件・¥300,000は前月以前からの持ち越しです。" in body
