import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline.selectors import forecast, month_list, user_scope
from salescrm.lib.months import add_months
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_forecast_sums_amount_and_weighted_by_month_for_six_months(personas, today, month):
    owner = personas.owner
    owner.prospects.all().delete()
    make_prospect(owner, expected_month=month, amount=Decimal("1000"), probability=25)
    make_prospect(owner, expected_month=month, amount=Decimal("3"), probability=50)
    make_prospect(owner, expected_month=add_months(month, 5), amount=Decimal("2000"), probability=10)
    make_prospect(owner, expected_month=add_months(month, 6), amount=Decimal("9999"))  # beyond
    # Overdue and short without a month: on this month's list, so in this month's figures.
    make_prospect(owner, expected_month=add_months(month, -1), amount=Decimal("200"), probability=50)
    make_prospect(owner, horizon="short", amount=Decimal("100"), probability=10)
    make_prospect(owner, horizon="mid", amount=Decimal("9999"))  # no month, not short: nowhere
    make_prospect(
        owner,
        expected_month=month,
        amount=Decimal("9999"),
        status="won",
        closed_on=today,
        won_amount=Decimal("1"),
    )
    rows = forecast(viewer=owner, scope=user_scope(owner), today=today)
    assert [r.month for r in rows] == [add_months(month, i) for i in range(6)]
    assert (rows[0].count, rows[0].amount, rows[0].weighted) == (4, Decimal("1303"), Decimal("361.5"))
    assert (rows[5].amount, rows[5].weighted) == (Decimal("2000"), Decimal("200"))
    assert all(r.amount == 0 for r in rows[1:5])
    listed = month_list(viewer=owner, scope=user_scope(owner), month=month, today=today).total
    assert (listed.count, listed.amount, listed.weighted) == (rows[0].count, rows[0].amount, rows[0].weighted)


def test_forecast_page_draws_an_svg_without_style_attributes(personas, client, month):
    make_prospect(personas.owner, expected_month=month, amount=Decimal("1000"), probability=50)
    client.force_login(personas.owner)
    body = client.get(reverse("pipeline:forecast")).content.decode()
    chart = body[body.index('<figure class="chart">') :]
    svg = chart[chart.index("<svg") : chart.index("</svg>")]
    assert svg.count('class="bar-amount"') == 6 and svg.count('class="bar-weighted"') == 6
    assert "style=" not in body
    # The tallest amount bar is the full chart height; the weighted one is half of it.
    heights = [int(h) for h in re.findall(r'class="bar-amount"[^>]*height="(\d+)"', svg)]
    weighted = [int(h) for h in re.findall(r'class="bar-weighted"[^>]*height="(\d+)"', svg)]
    assert heights[0] == 200 and weighted[0] == 100
