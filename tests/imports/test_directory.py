"""名寄せ in the import (#19): company and contact columns, matching against the existing records and
within the file, what the dry run says of each row, all rows or none, and the export's round trip."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from companies.models import CORPORATE_NUMBER_CHECK, Company, Contact
from imports import parsing
from imports.models import JobStatus
from imports.services import import_job_preview, import_job_run
from prospects.models import Prospect
from tests.imports.conftest import create_job, csv_bytes, run_import

pytestmark = pytest.mark.django_db

HEADER = ["見込み客名", "会社名", "フリガナ", "法人番号", "電話", "取引先担当者名", "役職", "メール", "確度"]


def test_company_and_contact_headers_are_guessed_in_both_languages():
    assert parsing.guess_columns(HEADER) == {
        "見込み客名": "name",
        "会社名": "company_name",
        "フリガナ": "company_furigana",
        "法人番号": "company_corporate_number",
        "電話": "phone",
        "取引先担当者名": "contact_name",
        "役職": "contact_title",
        "メール": "email",
        "確度": "probability",
    }
    assert parsing.guess_field("Company name") == "company_name"
    assert parsing.guess_field("Contact e-mail") == "contact_email"
    assert parsing.guess_field("account") == "company_name"


def test_rows_attach_to_an_existing_company_under_a_kana_variant_and_share_a_new_one_within_the_file(
    personas,
):
    minato = Company.objects.create(name="ﾐﾅﾄ工務店(株)", phone="03-1234-5678")
    rows = [
        HEADER,
        ["キッチン改装", "株式会社 みなと工務店", "", "", "0312345678", "山田 太郎", "部長", "", "50"],
        ["浴室改装", "㈱ミナト工務店", "", "", "", "山田太郎", "", "", "30"],
        ["外壁塗装", "北野商店 有限会社", "キタノショウテン", "", "", "", "", "", "20"],
        ["屋根修理", "(有)北野商店", "", "", "06-1111-2222", "", "", "", "20"],
        ["新築相談", "ミナト工業", "", "", "", "", "", "", "10"],
    ]
    job = create_job(personas.owner, csv_bytes(rows))
    job = import_job_preview(job=job)
    assert job.status == JobStatus.PREVIEWED, job.errors
    preview = {p["row"]: p for p in job.preview}
    assert preview[2]["company"] == {"action": "attach", "id": minato.pk, "name": minato.name, "row": 2}
    assert preview[3]["company"]["action"] == "attach" and preview[3]["company"]["id"] == minato.pk
    assert preview[2]["contact"]["action"] == "create"
    assert preview[3]["contact"] == {"action": "file", "id": None, "name": "山田 太郎", "row": 2}
    assert preview[4]["company"]["action"] == "create"
    assert preview[5]["company"] == {"action": "file", "id": None, "name": "北野商店 有限会社", "row": 4}
    assert preview[6]["company"]["action"] == "create"  # ミナト工業 is another company
    assert job.directory["companies_created"] == 2
    assert job.directory["companies_attached"] == 2
    assert job.directory["contacts_created"] == 1
    assert [(m["row"], m["kind"], m["id"]) for m in job.directory["matches"]] == [
        (2, "company", minato.pk),
        (3, "company", minato.pk),
    ]
    assert Company.objects.count() == 1  # the dry run writes nothing

    job = import_job_run(job=job)
    assert job.status == JobStatus.DONE, job.message
    by_name = {p.name: p for p in Prospect.objects.filter(owner=personas.owner).select_related("company")}
    assert by_name["キッチン改装"].company_id == by_name["浴室改装"].company_id == minato.pk
    assert by_name["キッチン改装"].contact_id == by_name["浴室改装"].contact_id
    kitano = by_name["外壁塗装"].company
    assert by_name["屋根修理"].company_id == kitano.pk
    assert (kitano.name, kitano.furigana, kitano.phone) == (
        "北野商店 有限会社",
        "キタノショウテン",
        "06-1111-2222",
    )
    assert (kitano.name_norm, kitano.furigana_norm) == ("北野商店", "キタノショウテン")
    assert by_name["新築相談"].company.name == "ミナト工業"
    contact = Contact.objects.get(pk=by_name["キッチン改装"].contact_id)
    assert (contact.name, contact.title, contact.phone, contact.company_id) == (
        "山田 太郎",
        "部長",
        "0312345678",
        minato.pk,
    )
    assert Company.objects.count() == 3 and Contact.objects.count() == 1
    minato.refresh_from_db()
    assert minato.name == "ﾐﾅﾄ工務店(株)"  # an existing record is attached to as it is


def test_a_file_without_company_columns_makes_companies_from_the_prospect_text_as_the_migration_did(personas):
    rows = [
        ["顧客名", "電話", "住所", "先方担当者", "メール"],
        ["鈴木建設", "03-0000-1111", "東京都港区", "鈴木 一郎", "ichiro@suzuki.example"],
        ["鈴木建設 2", "", "", "", "info@suzuki.example"],
    ]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.errors or job.message
    first = Prospect.objects.select_related("company", "contact").get(name="鈴木建設")
    assert (first.company.name, first.company.phone, first.company.address) == (
        "鈴木建設",
        "03-0000-1111",
        "東京都港区",
    )
    assert (first.contact.name, first.contact.email, first.contact.company_id) == (
        "鈴木 一郎",
        "ichiro@suzuki.example",
        first.company_id,
    )
    second = Prospect.objects.get(name="鈴木建設 2")
    assert second.company_id != first.company_id and second.contact_id is None


def test_a_company_column_alone_names_the_prospect(personas):
    job = run_import(personas.owner, [["会社名", "確度"], ["株式会社みなと工務店", "40"]])
    assert job.status == JobStatus.DONE, job.errors
    prospect = Prospect.objects.select_related("company").get(owner=personas.owner, probability=40)
    assert prospect.name == prospect.company.name == "株式会社みなと工務店"


def test_the_same_corporate_number_attaches_and_a_different_one_is_another_company(personas):
    minato = Company.objects.create(name="みなと工務店", corporate_number="9234567890123")
    rows = [
        ["見込み客名", "会社名", "法人番号"],
        ["案件A", "ミナト工務店株式会社", "９２３４-５６７８-９０１２３"],  # noqa: RUF001 (full-width, with hyphens)
        ["案件B", "みなと工務店", "8700110005901"],
        ["案件C", "別名の会社", "9234567890123"],
    ]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(rows)))
    assert not job.error_count, job.errors
    preview = {p["row"]: p for p in job.preview}
    assert preview[2]["company"]["id"] == minato.pk
    assert preview[3]["company"]["action"] == "create"
    assert preview[4]["company"]["id"] == minato.pk  # the number decides, whatever the name


def test_a_wrong_corporate_number_check_digit_is_a_row_error_and_nothing_is_imported(personas):
    rows = [
        ["見込み客名", "会社名", "法人番号"],
        ["案件A", "みなと工務店", "1234567890123"],
        ["案件B", "北野", ""],
    ]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.PREVIEWED and job.error_count == 1
    assert (job.errors[0]["row"], job.errors[0]["column"]) == (2, "法人番号")
    assert job.errors[0]["reason"] == str(CORPORATE_NUMBER_CHECK)
    assert not Prospect.objects.filter(name__startswith="案件").exists()
    assert not Company.objects.filter(name="北野").exists()


def test_an_error_in_a_later_row_leaves_no_company_or_contact_behind(personas):
    rows = [HEADER] + [[f"案件{i}", f"会社{i}", "", "", "", f"担当{i}", "", "", "50"] for i in range(5)]
    job = create_job(personas.owner, csv_bytes(rows))
    job = import_job_preview(job=job)
    assert job.status == JobStatus.PREVIEWED and not job.error_count
    # The data changes between the dry run and the import: row 6 now clashes with an existing prospect.
    Prospect.objects.create(name="案件4", owner=personas.owner, source="other")
    job = import_job_run(job=job)
    assert job.status == JobStatus.FAILED
    assert not Company.objects.filter(name__startswith="会社").exists()
    assert not Contact.objects.filter(name__startswith="担当").exists()


def test_an_update_relinks_only_when_the_file_has_a_company_column(personas):
    old = Company.objects.create(name="旧会社")
    new = Company.objects.create(name="新会社")
    prospect = Prospect.objects.create(name="案件X", owner=personas.owner, source="other", company=old)
    job = run_import(personas.owner, [["ID", "確度"], [prospect.pk, "70"]], update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    prospect.refresh_from_db()
    assert (prospect.probability, prospect.company_id) == (70, old.pk)
    job = run_import(personas.owner, [["ID", "会社名"], [prospect.pk, "新会社"]], update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    prospect.refresh_from_db()
    assert (prospect.name, prospect.company_id) == ("案件X", new.pk)


def test_the_dry_run_page_says_which_rows_attach_to_what(personas, login):
    minato = Company.objects.create(name="ミナト工務店")
    job = import_job_preview(
        job=create_job(personas.owner, csv_bytes([["見込み客名", "会社名"], ["案件", "ﾐﾅﾄ工務店(株)"]]))
    )
    page = login(personas.owner).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert reverse("companies:detail", args=[minato.pk]) in page
    assert f"ID {minato.pk}" in page


def test_the_export_carries_company_and_contact_columns_that_import_back(personas, login):
    company = Company.objects.create(
        name="株式会社みなと工務店", furigana="ミナトコウムテン", phone="03-1234-5678"
    )
    contact = Contact.objects.create(
        name="山田 太郎", title="部長", email="yamada@minato.jp", company=company
    )
    Prospect.objects.create(
        name="キッチン改装", owner=personas.owner, source="other", company=company, contact=contact
    )
    client = login(personas.owner)
    response = client.get(reverse("prospects:list") + "?export=xlsx&status=")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    columns = parsing.guess_columns(header)
    for field in ("company_name", "company_furigana", "company_phone", "contact_name", "contact_title"):
        assert field in columns.values(), (field, header)
    row = rows[1]
    values = {columns[h]: v for h, v in zip(header, row, strict=True) if h in columns}
    assert values["company_name"] == "株式会社みなと工務店"
    assert values["contact_email"] == "yamada@minato.jp"
    # Imported back as a new prospect (renamed, its ID cleared), it attaches to the same company and contact.
    row[header.index(next(h for h, f in columns.items() if f == "name"))] = "浴室改装"
    row[header.index(next(h for h, f in columns.items() if f == "id"))] = None
    job = run_import(personas.owner, [header, row], name="export.csv")
    assert job.status == JobStatus.DONE, job.errors or job.message
    again = Prospect.objects.get(name="浴室改装")
    assert (again.company_id, again.contact_id) == (company.pk, contact.pk)
    assert Company.objects.count() == 1 and Contact.objects.count() == 1


def test_a_company_and_contact_a_row_created_in_an_earlier_batch_are_found_by_later_rows(
    personas, monkeypatch
):
    """Once a batch is written the matcher keeps only the keys of what it created: later batches still find
    the company by name and by 法人番号, and its contact by name."""
    monkeypatch.setattr("imports.services.run.BATCH_SIZE", 1)
    rows = [
        ["見込み客名", "会社名", "法人番号", "取引先担当者名", "確度"],
        ["外壁塗装", "北野商店 有限会社", "8700110005901", "山田 太郎", "20"],
        ["屋根修理", "(有)北野商店", "", "山田太郎", "20"],
        ["門扉交換", "キタノ", "8700110005901", "", "20"],
        ["雨樋修理", "南野商店", "", "山田 太郎", "20"],  # another company: its 山田 is another person
        ["玄関改装", "北野商店", "", "佐藤 花子", "20"],  # a new contact at the company written earlier
    ]
    job = import_job_run(job=import_job_preview(job=create_job(personas.owner, csv_bytes(rows))))
    assert job.status == JobStatus.DONE, job.message
    by_name = {p.name: p for p in Prospect.objects.filter(owner=personas.owner)}
    kitano = by_name["外壁塗装"].company_id
    assert by_name["屋根修理"].company_id == by_name["門扉交換"].company_id == kitano
    assert by_name["屋根修理"].contact_id == by_name["外壁塗装"].contact_id
    assert by_name["雨樋修理"].company_id != kitano
    assert by_name["雨樋修理"].contact_id not in (None, by_name["外壁塗装"].contact_id)
    assert Contact.objects.get(pk=by_name["玄関改装"].contact_id).company_id == kitano
    assert by_name["玄関改装"].company_id == kitano
    assert Company.objects.count() == 2 and Contact.objects.count() == 3
    assert job.directory["companies_created"] == 2 and job.directory["contacts_created"] == 3


def test_later_batches_fill_what_a_company_and_contact_of_an_earlier_batch_left_blank(personas, monkeypatch):
    """The rule of the dry run holds when the record is already written: a later row fills a blank field
    (with its matching text), the first value given wins, and a field the record has stays."""
    monkeypatch.setattr("imports.services.run.BATCH_SIZE", 1)
    header = ["見込み客名", "会社名", "フリガナ", "電話", "取引先担当者名", "メール"]
    rows = [
        header,
        ["外壁塗装", "北野商店 有限会社", "", "", "山田 太郎", ""],
        ["屋根修理", "(有)北野商店", "キタノショウテン", "06-1111-2222", "山田太郎", "Taro@Example.JP"],
        ["門扉交換", "北野商店", "ホクヤ", "06-9999-0000", "山田 太郎", "other@example.jp"],
    ]
    job = import_job_run(job=import_job_preview(job=create_job(personas.owner, csv_bytes(rows))))
    assert job.status == JobStatus.DONE, job.message
    company = Company.objects.get()
    assert (company.name, company.furigana, company.phone) == (
        "北野商店 有限会社",
        "キタノショウテン",
        "06-1111-2222",
    )
    assert (company.furigana_norm, company.phone_norm) == ("キタノショウテン", "0611112222")
    contact = Contact.objects.get()
    assert (contact.email, contact.email_norm, contact.phone) == (
        "Taro@Example.JP",
        "taro@example.jp",
        "06-1111-2222",
    )
    prospects = Prospect.objects.filter(name__in=[row[0] for row in rows[1:]])
    assert prospects.count() == 3 and set(prospects.values_list("company_id", "contact_id")) == {
        (company.pk, contact.pk)
    }


def test_a_corporate_number_filled_by_a_later_batch_tells_the_next_rows_apart_as_in_the_dry_run(
    personas, monkeypatch
):
    """A company with the same name but another 法人番号 is another company: a number that a later row filled
    counts for the rows after it, in the import as in the dry run, whether its company is written or not."""
    monkeypatch.setattr("imports.services.run.BATCH_SIZE", 1)
    rows = [
        ["見込み客名", "会社名", "法人番号"],
        ["外壁塗装", "北野商店", ""],
        ["屋根修理", "北野商店", "8700110005901"],
        ["門扉交換", "北野商店", "1000013050238"],
    ]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(rows)))
    assert [p["company"]["action"] for p in job.preview] == ["create", "file", "create"]
    assert job.directory["companies_created"] == 2
    job = import_job_run(job=job)
    assert job.status == JobStatus.DONE, job.message
    assert job.directory["companies_created"] == 2
    by_name = {
        p.name: p.company for p in Prospect.objects.filter(owner=personas.owner).select_related("company")
    }
    assert by_name["外壁塗装"] == by_name["屋根修理"] != by_name["門扉交換"]
    assert by_name["外壁塗装"].corporate_number == "8700110005901"
    assert by_name["門扉交換"].corporate_number == "1000013050238"
