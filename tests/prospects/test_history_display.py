"""The history shows each value as the rest of the UI does: money, months, percentages, dates, labels."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from prospects.models import Prospect
from prospects.selectors import prospect_timeline

pytestmark = pytest.mark.django_db


def _changes(prospect: Prospect) -> dict[str, tuple[str, str]]:
    newest = prospect_timeline(prospect)[0]
    return {c.field: (str(c.old), str(c.new)) for c in newest.changes}


def _change_everything(prospect: Prospect) -> None:
    Prospect.objects.filter(pk=prospect.pk).update(
        amount=Decimal("1080000.00"),
        expected_month=dt.date(2027, 1, 1),
        probability=40,
        horizon="short",
        next_action_on=dt.date(2027, 1, 15),
        version=F("version") + 1,
    )


@pytest.fixture
def prospect(personas):
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(
        amount=Decimal("500000.00"), expected_month=None, probability=10, horizon="long", next_action_on=None
    )
    _change_everything(p)
    return p


def test_the_history_shows_money_months_percentages_and_labels_in_japanese(prospect):
    with translation.override("ja"):
        changes = _changes(prospect)
    assert changes["amount"] == ("¥500,000", "¥1,080,000")
    assert changes["expected_month"] == ("—", "2027年1月")
    assert changes["probability"] == ("10%", "40%")
    assert changes["horizon"] == ("長期", "短期")
    assert changes["next_action_on"] == ("—", "2027/01/15")


def test_the_history_shows_money_months_percentages_and_labels_in_english(prospect):
    with translation.override("en"):
        changes = _changes(prospect)
    assert changes["amount"] == ("¥500,000", "¥1,080,000")
    assert changes["expected_month"] == ("—", "Jan 2027")
    assert changes["probability"] == ("10%", "40%")
    assert changes["horizon"] == ("Long term", "Short term")
    assert changes["next_action_on"] == ("—", "01/15/2027")


def test_the_detail_page_shows_no_raw_value_in_its_history(prospect, client, personas):
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[prospect.pk]), HTTP_ACCEPT_LANGUAGE="ja").content
    text = body.decode()
    assert "1080000.00" not in text and "2027年1月1日" not in text
    assert "¥500,000 → ¥1,080,000" in text and "— → 2027年1月" in text and "10% → 40%" in text
