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
        recontact_on=dt.date(2027, 1, 15),
        version=F("version") + 1,
    )


@pytest.fixture
def prospect(personas):
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(
        amount=Decimal("500000.00"), expected_month=None, probability=10, horizon="long", recontact_on=None
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
    assert changes["recontact_on"] == ("—", "2027/01/15")


def test_the_history_shows_money_months_percentages_and_labels_in_english(prospect):
    with translation.override("en"):
        changes = _changes(prospect)
    assert changes["amount"] == ("¥500,000", "¥1,080,000")
    assert changes["expected_month"] == ("—", "Jan 2027")
    assert changes["probability"] == ("10%", "40%")
    assert changes["horizon"] == ("Long term", "Short term")
    assert changes["recontact_on"] == ("—", "01/15/2027")


def test_the_detail_page_shows_no_raw_value_in_its_history(prospect, client, personas):
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[prospect.pk]), HTTP_ACCEPT_LANGUAGE="ja").content
    text = body.decode()
    assert "1080000.00" not in text and "2027年1月1日" not in text
    assert "¥500,000 → ¥1,080,000" in text and "— → 2027年1月" in text and "10% → 40%" in text


def test_next_actions_recorded_before_the_field_was_removed_stay_in_the_history(personas):
    """prospects 0022 removed the "next action" field but kept its two history columns: events
    written before hold its values (never NULL then), and the history still shows their changes;
    an event written since (NULL) is no change of it."""
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(probability=20, version=F("version") + 1)
    Prospect.objects.filter(pk=p.pk).update(probability=30, version=F("version") + 1)
    insert, first, _second = p.events.order_by("pgh_id")
    # As the triggers wrote them while the field existed (a date added, then the text changed).
    type(insert).objects.filter(pk=insert.pk).update(next_action="電話", next_action_on=None)
    type(first).objects.filter(pk=first.pk).update(next_action="電話", next_action_on=dt.date(2026, 12, 24))
    with translation.override("ja"):
        entries = prospect_timeline(p)
    newest, middle = ({c.field: (str(c.old), str(c.new)) for c in e.changes} for e in entries[:2])
    assert "next_action" not in newest and "next_action_on" not in newest  # NULL since: no change
    assert middle["next_action_on"] == ("—", "2026/12/24")
    type(first).objects.filter(pk=first.pk).update(next_action="見積を持参")
    with translation.override("en"):
        middle = {c.field: (c.label, str(c.old), str(c.new)) for c in prospect_timeline(p)[1].changes}
    assert middle["next_action"] == ("next action", "電話", "見積を持参")
