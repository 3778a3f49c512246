"""The headers and stage values of other CRMs' exports, English and Japanese, guessed from one table."""
# ruff: noqa: RUF001 - full-width brackets and percent signs are what Japanese headers hold

from __future__ import annotations

import pytest

from imports import parsing

# The header row of a raw English CRM export (deals, one per row), as it comes out of the system.
ENGLISH_CRM_EXPORT = [
    "opportunity_id",
    "sales_agent",
    "product",
    "account",
    "deal_stage",
    "engage_date",
    "close_date",
    "close_value",
]


def test_the_headers_of_an_english_crm_export_are_guessed():
    guessed = parsing.guess_columns(ENGLISH_CRM_EXPORT)
    # product and opportunity_id have fields of their own (the product and external-ID work of #20).
    assert {h: f for h, f in guessed.items() if h not in ("product", "opportunity_id")} == {
        "sales_agent": "owner",
        "account": "company_name",
        "deal_stage": "status",
        "engage_date": "created_at",
        "close_date": "closed_on",
        "close_value": "won_amount",
    }


def test_no_header_word_names_two_fields():
    named: dict[str, set[str]] = {}
    for field, words in parsing.HEADER_SYNONYMS.items():
        for word in words:
            named.setdefault(parsing._key(word), set()).add(field)
    # A field's own label (the prospect export's header) names that field and no other.
    for key, field in parsing._label_index().items():
        if key in named:
            named[key].add(field)
    assert {key: fields for key, fields in named.items() if len(fields) > 1} == {}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Sales Agent", "owner"),
        ("Deal Owner", "owner"),
        ("Opportunity Owner", "owner"),
        ("Salesperson", "owner"),
        ("担当営業", "owner"),
        ("商談 所有者", "owner"),
        ("Account Name", "company_name"),
        ("Organization", "company_name"),
        ("Company", "company_name"),
        ("Deal Stage", "status"),
        ("Stage", "status"),
        ("Pipeline stage", "status"),
        ("商談フェーズ", "status"),
        ("フェーズ", "status"),
        ("Close Value", "won_amount"),
        ("受注金額（円）", "won_amount"),
        ("Amount", "amount"),
        ("Deal Amount", "amount"),
        ("Deal value", "amount"),
        ("Opportunity Amount", "amount"),
        ("見込み金額（円）", "amount"),
        ("Created Date", "created_at"),
        ("Create date", "created_at"),
        ("Date created", "created_at"),
        ("Lead date", "created_at"),
        ("Close Date", "closed_on"),
        ("Closed date", "closed_on"),
        ("失注日", "closed_on"),
        ("Expected close date", "expected_month"),
        ("受注予定日", "expected_month"),
        ("完了予定日", "expected_month"),
        ("Probability (%)", "probability"),
        ("Win probability", "probability"),
        ("確度（％）", "probability"),
        ("Lead Source", "source"),
        ("リードソース", "source"),
        ("Lost reason", "lost_reason"),
        ("Loss Reason", "lost_reason"),
        ("Reason lost", "lost_reason"),
        ("Deal Name", "name"),
        ("Opportunity Name", "name"),
        ("Opportunity", "name"),
        ("商談名", "name"),
        ("取引先名", "company_name"),
        # Amount x probability in Salesforce and Zoho: mapping it to the amount would count the
        # probability twice, so the user maps it (or not) by hand.
        ("Expected revenue", None),
    ],
)
def test_crm_headers_are_guessed_in_english_and_japanese(header, field):
    assert parsing.guess_field(header) == field


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Won", "won"),
        ("Closed Won", "won"),
        ("Lost", "lost"),
        ("Closed Lost", "lost"),
        ("Engaging", "open"),
        ("Prospecting", "open"),
        ("Open", "open"),
        ("In progress", "open"),
        ("Qualified", "open"),
        ("商談中", "open"),
        ("提案中", "open"),
        ("受注済み", "won"),
        ("失注済み", "lost"),
        ("On hold", None),
    ],
)
def test_crm_stage_values_are_guessed_as_a_status(value, code):
    assert parsing.guess_value("status", value) == code
