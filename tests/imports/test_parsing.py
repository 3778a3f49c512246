"""Cells as people type them in Japanese spreadsheets: read exactly, or refused — never guessed."""
# ruff: noqa: RUF001 - full-width digits and letters are what these tests are about

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from imports import parsing
from imports.parsing import ParseError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/11/27", dt.date(2026, 11, 27)),
        ("2026-11-27", dt.date(2026, 11, 27)),
        ("2026.11.27", dt.date(2026, 11, 27)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        ("2026年11月27日", dt.date(2026, 11, 27)),
        ("２０２６年１１月２７日", dt.date(2026, 11, 27)),
        ("2026-11-27 10:30", dt.date(2026, 11, 27)),
        ("2026-11-27T10:30:00", dt.date(2026, 11, 27)),
        ("令和8年11月27日", dt.date(2026, 11, 27)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R8.11.27", dt.date(2026, 11, 27)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        (dt.datetime(2026, 11, 27, 9, 0), dt.date(2026, 11, 27)),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 27)),
    ],
)
def test_dates_in_japanese_and_iso_forms_are_read(text, expected):
    assert parsing.parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "11/12",
        "11月12日",
        "1.2.3",
        "2026/13/01",
        "2026/02/30",
        "20261127",
        "明日",
        "2026年11月",
        "R8.11",
        "0026/1/1",
    ],
)
def test_ambiguous_or_impossible_dates_are_errors(text):
    with pytest.raises(ParseError):
        parsing.parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026/11", dt.date(2026, 11, 1)),
        ("2026-11", dt.date(2026, 11, 1)),
        ("2026年11月", dt.date(2026, 11, 1)),
        ("令和8年11月", dt.date(2026, 11, 1)),
        ("R8.11", dt.date(2026, 11, 1)),
        ("r8/11", dt.date(2026, 11, 1)),
        ("2026/11/27", dt.date(2026, 11, 1)),
        (dt.datetime(2026, 11, 27), dt.date(2026, 11, 1)),
    ],
)
def test_months_become_the_first_day_of_the_month(text, expected):
    assert parsing.parse_month(text) == expected


@pytest.mark.parametrize("text", ["11月", "11/2026", "2026/13", "来月"])
def test_months_without_a_year_are_errors(text):
    with pytest.raises(ParseError):
        parsing.parse_month(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200000", Decimal("1200000")),
        ("1,200,000", Decimal("1200000")),
        ("¥1,200,000", Decimal("1200000")),
        ("￥１，２００，０００", Decimal("1200000")),
        ("1,200,000円", Decimal("1200000")),
        ("120万", Decimal("1200000")),
        ("120万円", Decimal("1200000")),
        ("1.5万円", Decimal("15000")),
        ("1,200千円", Decimal("1200000")),
        ("3億", Decimal("300000000")),
        ("0", Decimal("0")),
        ("1234.5", Decimal("1234.5")),
        (1500000, Decimal("1500000")),
        (1500000.0, Decimal("1500000")),
    ],
)
def test_amounts_with_yen_signs_commas_and_units_are_read(text, expected):
    assert parsing.parse_amount(text) == expected


@pytest.mark.parametrize(
    "text",
    ["約100万", "1.2.3", "100万-200万", "1億2000万", "12,34", "abc", "-5000", "1.234", "100ドル", "万"],
)
def test_ambiguous_amounts_are_errors(text):
    with pytest.raises(ParseError):
        parsing.parse_amount(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80", 80), ("80%", 80), ("８０％", 80), ("0", 0), ("100", 100), (70, 70), (70.0, 70)],
)
def test_probabilities_are_read(text, expected):
    assert parsing.parse_probability(text) == expected


@pytest.mark.parametrize("text", ["120", "101%", "-5", "0.8", 0.8, "高い", "80.5", "約80"])
def test_bad_probabilities_are_errors(text):
    with pytest.raises(ParseError):
        parsing.parse_probability(text)


def test_a_probability_of_120_says_the_range():
    with pytest.raises(ParseError) as info:
        parsing.parse_probability("120")
    assert info.value.reason is parsing.PROBABILITY_RANGE


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("顧客名", "name"),
        ("見込み客", "name"),
        ("担当者", "owner"),
        ("営業担当", "owner"),
        ("確度", "probability"),
        ("金額", "amount"),
        ("見込金額", "amount"),
        ("受注予定月", "expected_month"),
        ("見込み区分", "horizon"),
        ("ステータス", "status"),
        ("状況", "status"),
        ("流入経路", "source"),
        ("きっかけ", "source"),
        ("電話", "phone"),
        ("TEL", "phone"),
        ("ＴＥＬ", "phone"),
        ("メール", "email"),
        ("住所", "address"),
        ("先方担当者", "contact_person"),
        ("連絡先氏名", "contact_person"),
        ("次回アクション", "next_activity"),
        ("次回アクション日", "next_activity_on"),
        ("登録日", "created_at"),
        ("作成日", "created_at"),
        ("受注日", "closed_on"),
        ("失注日", "closed_on"),
        ("完了日", "closed_on"),
        ("受注金額", "won_amount"),
        ("失注理由", "lost_reason"),
        ("競合", "competitor"),
        ("競合他社", "competitor"),
        ("ID", "id"),
        ("Company", "company_name"),
        ("会社名", "company_name"),
        ("取引先名", "company_name"),
        ("Prospect name", "name"),
        ("Owner", "owner"),
        ("Expected month", "expected_month"),
        ("E-mail", "email"),
        ("Won amount", "won_amount"),
        ("Lost reason", "lost_reason"),
        ("created_at", "created_at"),
        ("好きな色", None),
    ],
)
def test_headers_are_guessed_from_japanese_and_english_names(header, field):
    assert parsing.guess_field(header) == field


def test_each_field_is_guessed_for_its_first_column_only():
    assert parsing.guess_columns(["顧客名", "見込み客名", "担当者"]) == {"顧客名": "name", "担当者": "owner"}


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("status", "受注", "won"),
        ("status", "商談中", "open"),
        ("status", "失注", "lost"),
        ("status", "Won", "won"),
        ("horizon", "短期", "short"),
        ("horizon", "中期", "mid"),
        ("horizon", "長期", "long"),
        ("source", "飛び込み", "door_to_door"),
        ("source", "反響", "inbound"),
        ("source", "展示会", "exhibition"),
        ("source", "チラシ", "flyer"),
        ("source", "紹介", "referral"),
        ("lost_reason", "価格", "price"),
        ("lost_reason", "競合", "competitor"),
        ("lost_reason", "延期", "postponed"),
        ("lost_reason", "予算なし", "no_budget"),
        ("lost_reason", "連絡なし", "no_response"),
        ("status", "たぶん", None),
    ],
)
def test_values_are_mapped_to_choices(field, value, code):
    assert parsing.guess_value(field, value) == code


def test_a_user_is_known_by_username_email_and_full_name_with_or_without_space():
    keys = parsing.owner_keys("tanaka", "田中", "翔太", "tanaka@example.jp")
    for written in ("tanaka", "TANAKA", "tanaka@example.jp", "田中 翔太", "田中翔太", "田中　翔太"):
        assert parsing.owner_key(written) in keys
    assert parsing.owner_key("佐藤 花子") not in keys
