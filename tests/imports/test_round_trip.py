"""The prospect export round-trips (issue #20): every importable field is in it under a header the
import guesses back, so an export edited in a spreadsheet and imported with "update existing" changes
the edited cells and nothing else, in CSV and xlsx, in Japanese and in English."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from activities.models import Activity
from companies.models import Company, Contact
from imports import parsing
from imports.models import JobStatus
from imports.services import IMPORT_FIELDS, import_job_preview, import_job_run
from products.models import Product
from prospects.models import Horizon, LostReason, Prospect, Source, Status
from prospects.views import LIST_COLUMNS
from salescrm.lib.export import export_header
from tests.activities.conftest import at, make_activity
from tests.conftest import make_prospect
from tests.imports.conftest import create_job

pytestmark = pytest.mark.django_db

# Written by every update (the optimistic lock and its time), whatever the row holds.
BOOKKEEPING = {"version", "updated_at"}


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_importable_field_has_an_export_column_the_import_guesses_back(language):
    with translation.override(language):
        guessed = [parsing.guess_field(header) for header in export_header(LIST_COLUMNS)]
    assert set(IMPORT_FIELDS) <= set(guessed), set(IMPORT_FIELDS) - set(guessed)
    # And no two columns of the export guess the same field (the second would be left unmapped).
    named = [field for field in guessed if field]
    assert len(named) == len(set(named))


def _snapshot() -> dict[int, dict[str, Any]]:
    fields = [f.attname for f in Prospect._meta.concrete_fields if f.attname not in BOOKKEEPING]
    return {row["id"]: row for row in Prospect.objects.values(*fields)}


def _deals(personas) -> dict[str, Prospect]:
    product = Product.objects.create(name="Basic 550", list_price=Decimal(550))
    company = Company.objects.create(name="ミナト商事", phone="03-1234-5678")
    contact = Contact.objects.create(company=company, name="佐藤 花子", title="部長")
    open_deal = make_prospect(
        personas.owner,
        name="ミナト商事 Basic 550",
        external_id="OPP-3",
        product=product,
        company=company,
        contact=contact,
        expected_month=dt.date(2027, 3, 1),
        horizon=Horizon.SHORT,  # chosen on purpose: not what the month suggests
        probability=40,
        amount=Decimal(1_100_000),
        source=Source.EXHIBITION,
        contact_person="佐藤",
        phone="+81 3-1234-5678",  # escaped in the export (a formula sign), read back as written
        email="sato@minato.example",
        address="東京都港区1-2-3",
        notes="一行目\n二行目",
    )
    make_activity(open_deal, starts_at=at(dt.date(2027, 1, 15)), subject="見積提出")
    return {
        "open": open_deal,
        "won": make_prospect(
            personas.owner,
            name="鈴木建設",
            external_id="OPP-1",
            status=Status.WON,
            closed_on=dt.date(2026, 10, 20),
            amount=Decimal(800_000),
            won_amount=Decimal(750_000),
            source=Source.REFERRAL,
            created_at=timezone.make_aware(dt.datetime(2026, 4, 1, 14, 35)),
        ),
        "lost": make_prospect(
            personas.teammate,
            name="佐藤工務店",
            external_id="OPP-2",
            status=Status.LOST,
            closed_on=dt.date(2026, 9, 30),
            lost_reason=LostReason.COMPETITOR,
            competitor="他社A",
            source=Source.DOOR_TO_DOOR,
        ),
        "plain": make_prospect(personas.teammate, name="山本商店", probability=20, amount=Decimal(300_000)),
        "old": personas.prospect,
    }


def _export(client, fmt: str) -> list[list[Any]]:
    response = client.get(reverse("prospects:list"), {"status": "", "export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    if fmt == "csv":
        return [list(row) for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))]
    sheet = load_workbook(io.BytesIO(body)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def _file(rows: list[list[Any]], fmt: str) -> bytes:
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_edited_export_imported_with_update_existing_changes_only_the_edited_cells(
    personas, login, fmt, language
):
    deals = _deals(personas)
    client = login(personas.manager)
    client.cookies["django_language"] = language
    header, *rows = _export(client, fmt)
    assert len(rows) == len(deals)
    before = _snapshot()
    activities = Activity.objects.count()

    with translation.override(language):
        column = {parsing.guess_field(h): i for i, h in enumerate(header)}
        won_label = str(Status.WON.label)
        short_label = str(Horizon.SHORT.label)
    by_id = {int(row[column["id"]]): row for row in rows}
    # The edits: an amount, a horizon, an open deal won (with its won amount and close date).
    by_id[deals["open"].pk][column["amount"]] = "1200000"
    by_id[deals["plain"].pk][column["horizon"]] = short_label
    won = by_id[deals["old"].pk]
    won[column["status"]] = won_label
    won[column["won_amount"]] = "900000"
    won[column["closed_on"]] = "2026-11-20"

    with translation.override(language):
        job = create_job(
            personas.manager, _file([header, *rows], fmt), f"edited.{fmt}", update_duplicates=True
        )
    job = import_job_preview(job=job)
    assert job.error_count == 0, job.errors
    job = import_job_run(job=job)
    assert job.status == JobStatus.DONE, job.message
    # The three edited rows are written; the others change nothing and are left as they were.
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 3, len(deals) - 3)

    expected = {pk: dict(row) for pk, row in before.items()}
    expected[deals["open"].pk]["amount"] = Decimal(1_200_000)
    expected[deals["plain"].pk]["horizon"] = Horizon.SHORT
    expected[deals["old"].pk].update(
        status=Status.WON, won_amount=Decimal(900_000), closed_on=dt.date(2026, 11, 20)
    )
    after = _snapshot()
    for pk, fields in expected.items():
        assert after[pk] == fields, pk
    assert Prospect.objects.count() == len(deals)
    assert Activity.objects.count() == activities  # the planned activity is the one exported
    assert Company.objects.count() == 1 and Contact.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Nov 2026", dt.date(2026, 11, 1)),
        ("September 2027", dt.date(2027, 9, 1)),
        ("Sept. 2027", dt.date(2027, 9, 1)),
    ],
)
def test_an_english_month_name_is_read_as_a_month_in_every_date_order(text, month):
    for order in parsing.DATE_ORDERS:
        assert parsing.parse_month(text, order) == month
    with pytest.raises(parsing.ParseError):
        parsing.parse_month("Foo 2026")
    with pytest.raises(parsing.ParseError):
        parsing.parse_date(text)  # a month is no day


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_choice_as_the_export_writes_it_is_guessed_back(language):
    with translation.override(language):
        for field, choices in (
            ("source", Source),
            ("lost_reason", LostReason),
            ("status", Status),
            ("horizon", Horizon),
        ):
            for choice in choices:
                assert parsing.guess_value(field, str(choice.label)) == choice.value, (field, choice)


def test_the_exports_apostrophe_before_a_formula_sign_is_taken_off_on_import(personas):
    from tests.imports.conftest import run_import

    job = run_import(
        personas.owner, [["見込み客名", "電話"], ["'=鈴木建設", "'+81 3-1234-5678"], ["'田中商店", "03"]]
    )
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.filter(name="=鈴木建設", phone="+81 3-1234-5678").exists()
    assert Prospect.objects.filter(name="'田中商店").exists()  # an apostrophe of the text's own stays
