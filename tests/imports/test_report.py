"""The rules of an import row and its error report: zero won amounts, the default lost reason, every
error of a row in one dry run, rows with errors counted apart from errors, the complete error list,
and the company's one currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from imports import parsing
from imports.models import ImportMapping, JobStatus
from imports.services import field_label, import_job_preview, import_job_run, import_job_set_mapping, job_file
from imports.services.report import job_error_file
from imports.services.rules import (
    AMOUNT_ONLY_WON,
    LOST_NEEDS_REASON,
    LOST_REASON_DEFAULTED,
    OPEN_WITH_OUTCOME,
)
from imports.services.validation import TOO_LONG
from prospects.models import Prospect
from tests.conftest import make_prospect
from tests.imports.conftest import create_job, csv_bytes, run_import

pytestmark = pytest.mark.django_db

OUTCOME_HEADER = ["会社名", "担当者", "ステータス", "見込金額", "完了日", "受注金額", "失注理由"]


def reasons_of(job) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["reason"]) for e in job.errors]


def in_language(job, message) -> str:
    with translation.override(job.options["language"]):
        return str(message)


# --- 1. A zero won amount is an empty one.


def test_a_zero_won_amount_on_a_lost_or_open_row_is_not_an_error_and_not_kept(personas):
    rows = [
        OUTCOME_HEADER,
        ["ゼロで失注", "owner", "失注", "100万", "2025/09/01", "0", "価格"],
        ["円でゼロの失注", "owner", "失注", "100万", "2025/09/02", "¥0", "予算なし"],
        ["空で失注", "owner", "失注", "100万", "2025/09/03", "", "延期"],
        ["ゼロで商談中", "owner", "商談中", "100万", "", "0", ""],
    ]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.errors
    for name in ("ゼロで失注", "円でゼロの失注", "空で失注"):
        prospect = Prospect.objects.get(name=name)
        assert (prospect.status, prospect.won_amount) == ("lost", None)
    still_open = Prospect.objects.get(name="ゼロで商談中")
    assert (still_open.status, still_open.won_amount, still_open.closed_on) == ("open", None, None)


def test_a_won_amount_above_zero_on_a_lost_or_open_row_stays_an_error(personas):
    rows = [
        OUTCOME_HEADER,
        ["金額つきの失注", "owner", "失注", "100万", "2025/09/01", "5", "価格"],
        ["金額つきの商談中", "owner", "商談中", "100万", "", "5", ""],
    ]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.PREVIEWED
    assert reasons_of(job) == [
        (2, "受注金額", in_language(job, AMOUNT_ONLY_WON)),
        (3, "ステータス", in_language(job, OPEN_WITH_OUTCOME)),
    ]
    assert not Prospect.objects.filter(name__in=["金額つきの失注", "金額つきの商談中"]).exists()


def test_a_zero_won_amount_on_a_won_row_takes_the_amount(personas):
    rows = [OUTCOME_HEADER, ["ゼロで受注", "owner", "受注", "100万", "2025/09/01", "0", ""]]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name="ゼロで受注").won_amount == Decimal("1000000")


# --- 2. The default lost reason of an import.

DEFAULT_ROWS = [
    OUTCOME_HEADER,
    ["理由なしの失注", "owner", "失注", "100万", "2025/09/01", "", ""],
    ["もう一つ理由なし", "owner", "失注", "100万", "2025/09/02", "", ""],
    ["価格で失注", "owner", "失注", "100万", "2025/09/03", "", "価格"],
    ["社内事情で失注", "owner", "失注", "100万", "2025/09/04", "", "社内事情"],
    ["商談中", "owner", "商談中", "100万", "", "", ""],
]


def map_with_default(job, reason: str):
    columns = {
        h["name"]: f
        for h, f in zip(
            job.headers,
            ["name", "owner", "status", "amount", "closed_on", "won_amount", "lost_reason"],
            strict=True,
        )
    }
    return import_job_set_mapping(job=job, columns=columns, values={}, lost_reason_default=reason)


def test_without_a_default_a_lost_row_without_a_reason_is_an_error(personas):
    job = run_import(personas.owner, DEFAULT_ROWS)
    assert [(row, column) for row, column, _r in reasons_of(job)] == [(2, "失注理由"), (3, "失注理由")]
    assert {reason for *_rc, reason in reasons_of(job)} == {in_language(job, LOST_NEEDS_REASON)}
    assert job.lost_reason_defaults == 0


def test_the_mappings_default_lost_reason_fills_lost_rows_without_one_and_says_so(personas):
    job = map_with_default(create_job(personas.owner, csv_bytes(DEFAULT_ROWS)), "no_response")
    assert job.mapping["defaults"] == {"lost_reason": "no_response"}
    job = import_job_preview(job=job)
    assert (job.error_count, job.lost_reason_defaults) == (0, 2), job.errors
    preview = {p["name"]: p for p in job.preview}
    assert preview["理由なしの失注"]["lost_reason_default"] is True
    assert preview["価格で失注"]["lost_reason_default"] is False
    job = import_job_run(job=job)
    assert job.status == JobStatus.DONE
    note = in_language(job, LOST_REASON_DEFAULTED)
    for name in ("理由なしの失注", "もう一つ理由なし"):
        prospect = Prospect.objects.get(name=name)
        assert (prospect.lost_reason, prospect.outcome_note) == ("no_response", note)
    priced = Prospect.objects.get(name="価格で失注")
    assert (priced.lost_reason, priced.outcome_note) == ("price", "")
    own_words = Prospect.objects.get(name="社内事情で失注")
    assert (own_words.lost_reason, own_words.outcome_note) == ("other", "社内事情")
    assert Prospect.objects.get(name="商談中").lost_reason == ""


def test_the_default_keeps_a_note_the_row_has_of_its_own(personas):
    existing = make_prospect(personas.owner, name="メモつき", outcome_note="先方の社長交代")
    rows = [["ID", "ステータス", "完了日"], [existing.pk, "失注", "2025/09/01"]]
    job = create_job(personas.owner, csv_bytes(rows), update_duplicates=True)
    import_job_set_mapping(
        job=job,
        columns={"ID": "id", "ステータス": "status", "完了日": "closed_on"},
        values={},
        lost_reason_default="other",
    )
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    existing.refresh_from_db()
    assert (existing.status, existing.lost_reason, existing.outcome_note) == (
        "lost",
        "other",
        "先方の社長交代",
    )


def test_a_default_that_is_no_lost_reason_is_not_kept(personas):
    job = map_with_default(create_job(personas.owner, csv_bytes(DEFAULT_ROWS)), "bogus")
    assert "defaults" not in job.mapping
    assert import_job_preview(job=job).error_count == 2


def test_the_mapping_page_offers_the_default_and_a_saved_mapping_keeps_it(personas, login):
    client = login(personas.owner)
    job = create_job(personas.owner, csv_bytes(DEFAULT_ROWS))
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert 'name="lost_reason_default"' in page
    posted = {
        f"col-{i}": f
        for i, f in enumerate(["name", "owner", "status", "amount", "closed_on", "won_amount", "lost_reason"])
    }
    response = client.post(
        reverse("imports:mapping", args=[job.pk]),
        {**posted, "lost_reason_default": "postponed", "save_as": "旧CRM"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.mapping["defaults"] == {"lost_reason": "postponed"}
    assert (job.status, job.lost_reason_defaults) == (JobStatus.PREVIEWED, 2)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "<dt>Lost rows given the default lost reason</dt><dd>2</dd>" in page
    assert "(set by the import)" in page
    saved = ImportMapping.objects.get(name="旧CRM")
    again = create_job(personas.owner, csv_bytes(DEFAULT_ROWS), saved_mapping=saved)
    assert again.mapping["defaults"] == {"lost_reason": "postponed"}
    page = client.get(reverse("imports:mapping", args=[again.pk])).content.decode()
    assert '<option value="postponed" selected>' in page


# --- 3. Every error of a row in one dry run.


def test_a_row_gets_all_its_errors_in_one_dry_run(personas):
    header = ["会社名", "担当者", "確度", "ステータス", "完了日", "電話"]
    rows = [header, ["三つの誤り", "owner", "120", "失注", "2025/09/01", "0" * 41]]
    job = run_import(personas.owner, rows)
    assert job.error_count == 3
    with translation.override(job.options["language"]):
        lost_reason = field_label("lost_reason")  # no such column: the field's name
        assert [(e["row"], e["column"]) for e in job.errors] == [(2, "確度"), (2, "電話"), (2, lost_reason)]
        assert job.errors[0]["reason"] == str(parsing.PROBABILITY_RANGE)
        assert job.errors[1]["reason"] == str(TOO_LONG % {"max": 40})
        assert job.errors[2]["reason"] == str(LOST_NEEDS_REASON)


def test_rules_that_need_an_unreadable_value_are_skipped(personas):
    rows = [
        OUTCOME_HEADER,
        # The status cannot be read: whether a close date belongs is not known.
        ["読めない状態", "owner", "たぶん", "100万", "2025/09/01", "", ""],
        # The close date cannot be read: it is not also "missing".
        ["読めない日付", "owner", "受注", "100万", "いつか", "", ""],
        # The won amount cannot be read: it is not also "missing".
        ["読めない受注金額", "owner", "受注", "", "2025/09/01", "たくさん", ""],
    ]
    job = run_import(personas.owner, rows)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "ステータス"),
        (3, "完了日"),
        (4, "受注金額"),
    ]


def test_errors_are_listed_row_by_row_and_an_unreadable_owner_skips_the_match(personas):
    make_prospect(personas.owner, name="既存の会社")
    rows = [
        OUTCOME_HEADER,
        ["誤りの多い行", "owner", "失注", "約100万", "", "", ""],
        ["既存の会社", "nobody", "商談中", "100万", "", "", ""],
        ["既存の会社", "owner", "商談中", "100万", "", "", ""],
    ]
    job = run_import(personas.owner, rows)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "見込金額"),
        (2, "完了日"),
        (2, "失注理由"),
        (3, "担当者"),  # not also a duplicate: whose prospect it is cannot be read
        (4, "会社名"),  # a duplicate of the existing one
    ]
    assert job.error_rows == 3


# --- 4. Rows with errors and errors, each under its own name.


def test_the_job_counts_rows_with_errors_apart_from_errors(personas, login):
    header = ["会社名", "担当者", "確度", "見込金額", "受注予定月"]
    rows = [
        header,
        ["二つの誤り", "owner", "120", "約100万", "2026/11"],
        ["三つの誤り", "owner", "120", "約100万", "11/12"],
        ["正しい行", "owner", "50", "100万", "2026/11"],
    ]
    job = run_import(personas.owner, rows)
    assert (job.error_rows, job.error_count) == (2, 5)
    client = login(personas.owner)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "<dt>Rows with errors</dt><dd>2</dd>" in page
    assert "<dt>Errors</dt><dd>5</dd>" in page


def test_a_failed_import_names_the_rows_with_errors(personas):
    rows = [["会社名", "担当者", "確度", "見込金額"], ["会社", "owner", "50", "100万"]]
    with translation.override("en"):
        job = create_job(personas.owner, csv_bytes(rows))
    job = import_job_preview(job=job)
    job_file(job).write_bytes(csv_bytes([rows[0], ["会社", "owner", "120", "約100万"]]))
    job = import_job_run(job=job)
    assert job.status == JobStatus.FAILED
    assert (job.error_rows, job.error_count) == (1, 2)
    assert job.message == "Nothing was imported: 1 row has errors."


# --- 5. The complete error list.


def error_lines(client, job) -> list[str]:
    response = client.get(reverse("imports:errors", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[1:]


BAD_PROBABILITIES = [["会社名", "担当者", "確度"]] + [[f"会社{i}", "owner", "120"] for i in range(5)]


def test_the_download_has_every_error_when_the_job_keeps_only_the_first(personas, login, monkeypatch):
    monkeypatch.setattr("imports.services.outcome.MAX_STORED_ERRORS", 2)
    with translation.override("en"):
        job = create_job(personas.owner, csv_bytes(BAD_PROBABILITIES))
    job = import_job_preview(job=job)
    assert (job.error_count, len(job.errors)) == (5, 2)
    client = login(personas.owner)
    lines = error_lines(client, job)
    assert [line.split(",")[0] for line in lines] == ["2", "3", "4", "5", "6"]
    assert all("0 and 100" in line for line in lines)
    monkeypatch.setattr("imports.views.ERROR_ROWS_ON_PAGE", 1)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "The first error is shown; the CSV has all 5." in page


def test_without_its_file_the_download_says_where_the_list_stops(personas, login, monkeypatch):
    monkeypatch.setattr("imports.services.outcome.MAX_STORED_ERRORS", 2)
    with translation.override("en"):
        job = create_job(personas.owner, csv_bytes(BAD_PROBABILITIES))
    job = import_job_preview(job=job)
    job_error_file(job).unlink()  # a job from before the file was kept
    client = login(personas.owner)
    client.cookies["django_language"] = "en"
    lines = error_lines(client, job)
    assert [line.split(",")[0] for line in lines] == ["2", "3", ""]
    assert lines[-1] == ",,,The list stops here: the first 2 of 5 errors."
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "the CSV has the first 2 of 5." in page


def test_the_error_file_follows_the_last_run_and_goes_with_the_upload(personas):
    job = create_job(personas.owner, csv_bytes(BAD_PROBABILITIES))
    job = import_job_preview(job=job)
    assert job_error_file(job).read_text(encoding="utf-8").count("\n") == 5
    assert job_error_file(job).parent == job_file(job).parent
    job_file(job).write_bytes(csv_bytes([BAD_PROBABILITIES[0], ["会社", "owner", "50"]]))
    job = import_job_preview(job=job)
    assert job.error_count == 0
    assert not job_error_file(job).exists()
    job_file(job).write_bytes(csv_bytes([BAD_PROBABILITIES[0], ["会社", "owner", "120"]]))
    job = import_job_run(job=job)  # the file changed since the dry run: the import reports it
    assert job.status == JobStatus.FAILED
    assert job_error_file(job).exists()
    job_file(job).write_bytes(csv_bytes([BAD_PROBABILITIES[0], ["会社", "owner", "50"]]))
    job = import_job_run(job=job)
    assert job.status == JobStatus.DONE
    assert not job_file(job).exists()
    assert not job_error_file(job).exists()
    assert not [p for p in job_file(job).parent.iterdir()]  # no partial file left behind


# --- 6. The company's one currency.

CURRENCY_HEADER = ["会社名", "担当者", "見込金額", "通貨"]


def test_a_currency_column_is_guessed_and_rows_in_the_company_currency_pass(personas, settings):
    settings.COMPANY_CURRENCY = "JPY"
    rows = [
        CURRENCY_HEADER,
        ["円の会社", "owner", "100万", "JPY"],
        ["記号の会社", "owner", "100万", "￥"],
        ["全角の会社", "owner", "100万", "ｊｐｙ"],  # noqa: RUF001
        ["漢字の会社", "owner", "100万", "円"],
        ["空の会社", "owner", "100万", ""],
    ]
    job = run_import(personas.owner, rows)
    assert job.mapping["columns"]["通貨"] == "currency"
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name="記号の会社").amount == Decimal("1000000")


def test_a_row_in_another_currency_is_an_error_naming_both(personas, settings):
    settings.COMPANY_CURRENCY = "JPY"
    rows = [
        ["name", "owner", "amount", "Currency Code"],
        ["Dollar Inc", "owner", "5000", "usd"],
        ["Sign Inc", "owner", "5000", "$"],
        ["Odd Inc", "owner", "5000", "dollars please"],
    ]
    with translation.override("en"):
        job = create_job(personas.owner, csv_bytes(rows))
    assert job.mapping["columns"]["Currency Code"] == "currency"
    job = import_job_preview(job=job)
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [
        (2, "Currency Code", "usd"),
        (3, "Currency Code", "$"),
        (4, "Currency Code", "dollars please"),
    ]
    reason = job.errors[0]["reason"]
    assert "USD" in reason and "JPY" in reason and "Convert the amounts to JPY first" in reason
    with translation.override("en"):  # the job's language
        assert job.errors[2]["reason"] == str(parsing.BAD_CURRENCY)
    assert not Prospect.objects.filter(name="Dollar Inc").exists()


def test_a_dollar_company_takes_dollars_and_refuses_yen(personas, settings):
    settings.COMPANY_CURRENCY = "USD"
    rows = [CURRENCY_HEADER, ["ドルの会社", "owner", "5000", "$"], ["円の会社", "owner", "5000", "¥"]]
    job = run_import(personas.owner, rows)
    assert [(e["row"], e["column"], e["value"]) for e in job.errors] == [(3, "通貨", "¥")]
    assert "JPY" in job.errors[0]["reason"] and "USD" in job.errors[0]["reason"]


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("JPY", "JPY"),
        ("jpy", "JPY"),
        ("\uff35\uff33\uff24", "USD"),
        ("￥", "JPY"),
        ("¥", "JPY"),
        ("円", "JPY"),
        ("$", "USD"),
        ("\uff04", "USD"),
        (" eur ", "EUR"),
    ],
)
def test_currencies_are_read_as_iso_codes(cell, code):
    assert parsing.parse_currency(cell) == code


@pytest.mark.parametrize("cell", ["yen!", "US", "1000", "ドルとか"])
def test_what_is_no_currency_is_refused(cell):
    with pytest.raises(parsing.ParseError):
        parsing.parse_currency(cell)


def test_the_mapping_page_and_the_dry_run_say_the_currency_amounts_are_read_in(personas, login, settings):
    settings.COMPANY_CURRENCY = "JPY"
    client = login(personas.owner)
    client.cookies["django_language"] = "en"
    job = create_job(personas.owner, csv_bytes([CURRENCY_HEADER, ["会社", "owner", "100万", "JPY"]]))
    page = client.get(reverse("imports:mapping", args=[job.pk])).content.decode()
    assert "Amounts are read in the company currency, JPY." in page
    assert '<option value="currency" selected>' in page
    import_job_preview(job=job)
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Amounts are read in the company currency, JPY." in page


def test_a_row_whose_prospect_is_unknown_is_held_only_to_the_rules_of_the_row_alone(personas):
    existing = make_prospect(personas.owner, name="既存の会社")
    rows = [
        ["ID", "ステータス", "受注金額"],
        # Without "update existing" the ID is an error; whether the prospect has a close date is not
        # known, so no "needs its close date"; an open row with a won amount is wrong whatever it updates.
        [existing.pk, "失注", ""],
        [existing.pk, "商談中", "5"],
    ]
    job = run_import(personas.owner, rows)
    assert [(e["row"], e["column"]) for e in job.errors] == [(2, "ID"), (3, "ID"), (3, "ステータス")]
    assert in_language(job, OPEN_WITH_OUTCOME) == job.errors[2]["reason"]


def test_the_migration_counts_the_rows_with_errors_of_earlier_jobs(personas):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("imports.migrations.0004_job_error_rows_and_lost_reason_default")
    job = create_job(personas.owner, csv_bytes(BAD_PROBABILITIES))
    errors = [{"row": 2, "reason": "a"}, {"row": 2, "reason": "b"}, {"row": 5, "reason": "c"}]
    type(job).objects.filter(pk=job.pk).update(errors=errors, error_count=3, error_rows=0)
    migration.count_error_rows(apps, None)
    job.refresh_from_db()
    assert job.error_rows == 2
