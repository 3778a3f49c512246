"""One rounding rule for weighted amounts everywhere: amount x probability / 100, exact, rounded once,
half up, to the currency's unit (pipeline.selectors.rules.round_money). ¥1,001 x 50% is ¥501 on the
board, the month list, the detail page and in the export."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from pipeline.selectors import round_money
from prospects.models import Horizon
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "amount,probability,currency,expected",
    [
        ("1001", 50, "JPY", "501"),  # 500.5: half up
        ("1003", 50, "JPY", "502"),  # 501.5
        ("999", 50, "JPY", "500"),  # 499.5
        ("1000", 33, "JPY", "330"),
        ("1001", 49, "JPY", "490"),  # 490.49
        ("10.01", 50, "USD", "5.01"),  # 5.005: to the cent
    ],
)
def test_round_money_rounds_half_up_to_the_currencys_unit(amount, probability, currency, expected, settings):
    settings.COMPANY_CURRENCY = currency
    assert round_money(Decimal(amount) * probability / 100) == Decimal(expected)


def test_1001_at_50_percent_reads_501_on_every_page_and_in_the_export(personas, client, month):
    owner = personas.owner
    owner.prospects.all().delete()
    p = make_prospect(
        owner,
        name="端数の案件",
        amount=Decimal("1001"),
        probability=50,
        expected_month=month,
        horizon=Horizon.SHORT,
    )
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    pages = {
        "detail": reverse("prospects:detail", args=[p.pk]),
        "board": reverse("pipeline:board"),
        "month list": reverse("pipeline:month_list"),
    }
    for name, url in pages.items():
        body = client.get(url).content.decode()
        assert "¥501" in body, name
        assert "¥500<" not in body and "¥500 " not in body, name
    response = client.get(reverse("pipeline:month_list"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][rows[0].index("Weighted amount")] == "501"
