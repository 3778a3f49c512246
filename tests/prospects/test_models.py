import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from prospects.models import Horizon, Prospect, suggest_horizon
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def _post(client, url, **overrides):
    data = {
        "name": "東和工務店",
        "source": "inbound",
        "horizon": "mid",
        "probability": "40",
        "expected_month": "2027-01",
        "amount": "1200000",
        "next_kind": "",
        "next_on": "",
        "next_subject": "",
        "notes": "",
        "contact_person": "",
        "phone": "",
        "email": "",
        "address": "",
    }
    data.update(overrides)
    return client.post(url, data)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("probability", "120", "確度は0〜100の範囲で入力してください。"),
        ("probability", "-1", "確度は0〜100の範囲で入力してください。"),
        ("amount", "-5", "金額にマイナスは指定できません。"),
        ("expected_month", "2026/13", "月は YYYY-MM の形式で入力してください(例: 2026-11)。"),
        ("expected_month", "next month", "月は YYYY-MM の形式で入力してください(例: 2026-11)。"),
        ("name", "    ", "このフィールドは必須です。"),
        ("source", "carrier_pigeon", "正しく選択してください。"),
    ],
)
def test_bad_input_gets_a_form_error_in_japanese_and_nothing_is_stored(
    personas, client, field, value, message
):
    client.force_login(personas.owner)
    before = Prospect.objects.count()
    response = _post(client, reverse("prospects:create"), **{field: value})
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert Prospect.objects.count() == before


def test_errors_come_in_english_for_an_english_user(personas, client):
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    response = _post(client, reverse("prospects:create"), probability="120")
    assert "Probability must be between 0 and 100." in response.context["form"].errors["probability"]


@pytest.mark.parametrize(
    "changes",
    [
        {"probability": 101},
        {"amount": Decimal("-1")},
        {"name": "   "},
        {"source": "unknown"},
        {"horizon": "forever"},
        {"status": "maybe"},
        {"expected_month": dt.date(2026, 11, 15)},
        {"status": "won"},  # won without a date and amount
        {"status": "lost", "closed_on": dt.date(2026, 11, 1)},  # lost without a reason
        {
            "lost_reason": "competitor",
            "status": "lost",
            "closed_on": dt.date(2026, 11, 1),
        },  # no competitor name
        {"won_amount": Decimal(5)},  # open prospect carrying an outcome
    ],
)
def test_the_database_refuses_what_the_form_refuses(personas, changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.filter(pk=personas.prospect.pk).update(**changes)


def test_the_database_requires_an_owner(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        Prospect.objects.filter(pk=personas.prospect.pk).update(owner=None)


def test_a_valid_won_row_is_accepted_by_the_database(personas):
    updated = Prospect.objects.filter(pk=personas.prospect.pk).update(
        status="won", closed_on=dt.date(2026, 11, 2), won_amount=Decimal(900000)
    )
    assert updated == 1


@pytest.mark.parametrize(
    "today,month,expected",
    [
        (dt.date(2026, 11, 27), None, Horizon.LONG),
        (dt.date(2026, 11, 27), dt.date(2026, 10, 1), Horizon.SHORT),  # past: due now
        (dt.date(2026, 11, 27), dt.date(2026, 11, 1), Horizon.SHORT),
        (dt.date(2026, 11, 27), dt.date(2026, 12, 1), Horizon.SHORT),
        (dt.date(2026, 11, 27), dt.date(2027, 1, 1), Horizon.MID),
        (dt.date(2026, 11, 27), dt.date(2027, 5, 1), Horizon.MID),
        (dt.date(2026, 11, 27), dt.date(2027, 6, 1), Horizon.LONG),
    ],
)
def test_suggested_horizon_follows_the_expected_month(today, month, expected):
    assert suggest_horizon(month, today) == expected


def test_suggestion_thresholds_come_from_settings(settings):
    settings.HORIZON_SHORT_MONTHS = 0
    assert suggest_horizon(dt.date(2026, 12, 1), dt.date(2026, 11, 27)) == Horizon.MID


def test_the_form_shows_a_hint_when_horizon_and_month_disagree(personas, client):
    client.force_login(personas.owner)
    response = client.get(
        reverse("prospects:horizon_hint"),
        {"expected_month": "2026-12", "horizon": "long"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "受注予定月からの見込み区分: 短期" in body


def test_no_hint_when_they_agree(personas, client, settings):
    client.force_login(personas.owner)
    response = client.get(reverse("prospects:horizon_hint"), {"expected_month": "", "horizon": "long"})
    assert "受注予定月からの見込み区分" not in response.content.decode()


def test_weighted_amount_is_probability_times_amount(personas):
    prospect = make_prospect(personas.owner, amount=Decimal("1234567"), probability=35)
    # Exact; shown rounded once, half up, to the yen (pipeline.selectors.rules.round_money).
    assert prospect.weighted_amount == Decimal("432098.45")


def test_an_amount_too_large_for_the_column_is_a_form_error_not_a_crash(personas, client):
    client.force_login(personas.owner)
    response = _post(client, reverse("prospects:create"), amount="1" + "0" * 15)
    assert response.status_code == 422
    assert response.context["form"].errors["amount"]
