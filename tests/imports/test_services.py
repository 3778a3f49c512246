"""The import itself: encodings and formats, mappings, history, all-or-nothing, duplicates, owners."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, User
from imports import reader
from imports.models import ImportMapping, JobStatus
from imports.services import (
    ImportRefused,
    import_job_create,
    import_job_preview,
    import_job_run,
    import_job_set_mapping,
    job_file,
)
from prospects.models import Prospect
from tests.conftest import make_prospect
from tests.imports.conftest import HEADER, create_job, csv_bytes, run_import, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

ROWS = [
    HEADER,
    ["鈴木建設", "田中 翔太", "80%", "120万", "2026年11月", "商談中", "展示会"],
    ["佐藤工務店", "owner", "３０", "￥1,500,000", "2027/01", "商談中", "紹介"],  # noqa: RUF001
]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", False), ("utf-8-sig", True), ("cp932", False)],
    ids=["utf8", "bom", "cp932"],
)
def test_csv_in_each_encoding_is_detected_and_imported(personas, encoding, bom):
    content = csv_bytes(ROWS, encoding)
    assert content.startswith(b"\xef\xbb\xbf") is bom
    job = create_job(personas.manager, content)
    assert job.encoding == ("cp932" if encoding == "cp932" else "utf-8-sig")
    assert job.headers[0]["name"] == "会社名"
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    prospect = Prospect.objects.get(name="鈴木建設")
    assert prospect.owner == personas.owner
    assert prospect.probability == 80
    assert prospect.amount == Decimal("1200000")
    assert prospect.expected_month == dt.date(2026, 11, 1)
    assert prospect.source == "exhibition"
    assert Prospect.objects.get(name="佐藤工務店").probability == 30


def test_xlsx_made_with_openpyxl_is_imported_with_native_dates_and_numbers(personas):
    rows = [
        [*HEADER, "登録日"],
        ["鈴木建設", "owner", 70, 2500000, dt.datetime(2026, 12, 1), "受注", "反響", dt.datetime(2025, 4, 1)],
    ]
    rows[0].append("完了日")
    rows[1].append(dt.datetime(2026, 10, 15))
    job = run_import(personas.owner, rows, name="list.xlsx")
    assert job.status == JobStatus.DONE, job.errors
    prospect = Prospect.objects.get(name="鈴木建設")
    assert prospect.status == "won"
    assert prospect.closed_on == dt.date(2026, 10, 15)
    assert prospect.won_amount == Decimal("2500000")  # no won amount column: the amount
    assert prospect.expected_month == dt.date(2026, 12, 1)
    assert timezone.localtime(prospect.created_at).date() == dt.date(2025, 4, 1)


def test_an_encoding_override_that_does_not_fit_is_refused(personas):
    with pytest.raises(ImportRefused) as info:
        create_job(personas.owner, csv_bytes(ROWS, "cp932"), encoding="utf-8-sig")
    assert "UTF-8" in str(info.value.reason)


def test_an_encoding_override_is_used(personas):
    job = create_job(personas.owner, csv_bytes(ROWS, "cp932"), encoding="cp932")
    assert job.encoding == "cp932"


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"", "a.csv", reader.EMPTY_FILE),
        ("会社名,担当者\n".encode(), "a.csv", reader.NO_DATA_ROWS),
        ("会社名,会社名\nA,B\n".encode(), "a.csv", None),
        (b"PK\x03\x04 not really a zip", "a.xlsx", reader.BAD_XLSX),
        (b"\x81\x00\xff\xfe\x00\x80\x9f\xff" * 100, "a.csv", None),
        (b"name\nA\n", "a.txt", None),
    ],
    ids=["empty", "header-only", "duplicate-headers", "corrupt-xlsx", "neither-utf8-nor-cp932", "not-csv"],
)
def test_bad_files_are_refused_with_a_reason_and_nothing_is_kept(personas, upload_dir, content, name, reason):
    before = Prospect.objects.count()
    with pytest.raises(ImportRefused) as info:
        create_job(personas.owner, content, name)
    if reason is not None:
        assert str(info.value.reason) == str(reason)
    assert str(info.value.reason)
    assert Prospect.objects.count() == before
    assert not any(p.is_file() for p in upload_dir.rglob("*"))


def test_duplicated_headers_are_named(personas):
    with pytest.raises(ImportRefused) as info:
        create_job(personas.owner, "会社名,確度,会社名\nA,1,B\n".encode())
    assert "会社名" in str(info.value.reason)


def test_a_file_above_the_limit_is_refused(personas, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    with pytest.raises(ImportRefused):
        create_job(personas.owner, csv_bytes([HEADER, *[["x"] * 7] * 20]))


def errors_of(job) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["value"]) for e in job.errors]


def test_bad_cells_are_reported_row_by_row_and_nothing_is_written(personas):
    rows = [
        HEADER,
        ["良い会社", "owner", "50", "100万", "2026/11", "商談中", "紹介"],
        ["悪い確度", "owner", "120", "100万", "2026/11", "商談中", "紹介"],
        ["悪い金額", "owner", "50", "約100万", "11/12", "商談中", "紹介"],
        ["知らない人", "nobody", "50", "100万", "2026/11", "たぶん", "紹介"],
        ["列が多い", "owner", "50", "100万", "2026/11", "商談中", "紹介", "余分"],
    ]
    before = Prospect.objects.count()
    job = run_import(personas.admin, rows)
    assert job.status == JobStatus.PREVIEWED
    assert job.error_count == 6
    assert errors_of(job) == [
        (3, "確度", "120"),
        (4, "見込金額", "約100万"),
        (4, "受注予定月", "11/12"),
        (5, "担当者", "nobody"),
        (5, "ステータス", "たぶん"),
        (6, "", ""),
    ]
    assert all(e["reason"] for e in job.errors)
    assert not job.can_import
    assert Prospect.objects.count() == before


def test_error_reasons_are_in_the_language_of_the_user(personas):
    from django.utils import translation

    rows = [HEADER, ["悪い確度", "owner", "120", "100万", "2026/11", "商談中", "紹介"]]
    with translation.override("en"):
        job = create_job(personas.owner, csv_bytes(rows))
    job = import_job_preview(job=job)
    assert job.errors[0]["reason"] == "The probability must be between 0 and 100."


@pytest.mark.slow
def test_an_error_in_the_last_of_10000_rows_leaves_the_database_unchanged(personas):
    rows = [HEADER] + [
        [f"会社{i}", "owner", "50", "100万", "2026/11", "商談中", "紹介"] for i in range(10_000)
    ]
    job = create_job(personas.manager, csv_bytes(rows))
    assert job.total_rows == 10_000
    job = import_job_preview(job=job)
    assert job.can_import
    # The file changes between the dry run and the import (a colleague edited it): the last row breaks.
    path = job_file(job)
    path.write_bytes(
        csv_bytes([*rows[:-1], ["会社9999", "owner", "120", "100万", "2026/11", "商談中", "紹介"]])
    )
    before = Prospect.objects.count()
    events_before = Prospect.events.rel.related_model.objects.count()
    job = import_job_run(job=job)
    assert job.status == JobStatus.FAILED
    assert errors_of(job) == [(10_001, "確度", "120")]
    assert Prospect.objects.count() == before
    assert Prospect.events.rel.related_model.objects.count() == events_before
    assert path.exists()


def test_historical_won_and_lost_rows_keep_their_dates_amounts_and_reasons(personas):
    rows = [
        [
            "会社名",
            "担当者",
            "ステータス",
            "見込金額",
            "登録日",
            "完了日",
            "受注金額",
            "失注理由",
            "競合他社",
        ],
        ["受注した会社", "owner", "受注", "100万", "2025/04/01", "2025年10月15日", "90万", "", ""],
        ["価格で失注", "owner", "失注", "100万", "2025/04/02", "R7.9.30", "", "価格", ""],
        ["競合に失注", "owner", "失注", "100万", "2025/04/03", "2025-09-01", "", "競合", "A社"],
        ["社内事情で失注", "owner", "失注", "100万", "2025/04/04", "2025-09-02", "", "社内事情", ""],
    ]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.errors
    won = Prospect.objects.get(name="受注した会社")
    assert (won.status, won.closed_on, won.won_amount) == ("won", dt.date(2025, 10, 15), Decimal("900000"))
    assert timezone.localtime(won.created_at).date() == dt.date(2025, 4, 1)
    price = Prospect.objects.get(name="価格で失注")
    assert (price.status, price.closed_on, price.lost_reason) == ("lost", dt.date(2025, 9, 30), "price")
    assert Prospect.objects.get(name="競合に失注").competitor == "A社"
    other = Prospect.objects.get(name="社内事情で失注")
    assert (other.lost_reason, other.outcome_note) == ("other", "社内事情")


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["商談中なのに日付", "owner", "商談中", "100万", "", "2025/09/01", "", "", ""], "ステータス"),
        (["理由のない失注", "owner", "失注", "100万", "", "2025/09/01", "", "", ""], "失注理由"),
        (["日付のない受注", "owner", "受注", "100万", "", "", "100万", "", ""], "完了日"),
        (["名前のない競合", "owner", "失注", "100万", "", "2025/09/01", "", "競合", ""], "競合他社"),
    ],
)
def test_outcome_rules_of_the_database_are_checked_row_by_row(personas, row, column):
    header = [
        "会社名",
        "担当者",
        "ステータス",
        "見込金額",
        "登録日",
        "完了日",
        "受注金額",
        "失注理由",
        "競合他社",
    ]
    job = run_import(personas.owner, [header, row])
    assert [e["column"] for e in job.errors] == [column]
    assert not Prospect.objects.filter(name=row[0]).exists()


def test_duplicates_are_errors_unless_updating_is_chosen(personas):
    existing = make_prospect(personas.owner, name="鈴木建設", probability=10)
    rows = [HEADER, ["鈴木建設", "owner", "90", "300万", "2026/12", "商談中", "紹介"]]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.PREVIEWED
    assert errors_of(job) == [(2, "会社名", "鈴木建設")]
    existing.refresh_from_db()
    assert existing.probability == 10

    job = run_import(personas.owner, rows, update_duplicates=True)
    assert job.status == JobStatus.DONE
    assert (job.created_count, job.updated_count) == (0, 1)
    existing.refresh_from_db()
    assert existing.probability == 90
    assert existing.amount == Decimal("3000000")
    assert existing.version == 2  # the optimistic lock sees the import as a change
    assert Prospect.objects.filter(name="鈴木建設").count() == 1


def test_an_id_column_updates_that_prospect(personas):
    existing = make_prospect(personas.owner, name="旧社名")
    rows = [["ID", "見込み客名", "確度"], [str(existing.pk), "新社名", "60"]]
    assert run_import(personas.owner, rows).error_count == 1  # exists, and updating was not chosen
    job = run_import(personas.owner, rows, update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    existing.refresh_from_db()
    assert (existing.name, existing.probability) == ("新社名", 60)


def test_an_id_of_someone_elses_prospect_is_an_error(personas):
    other = make_prospect(personas.outsider, name="他チーム")
    job = run_import(personas.owner, [["ID", "会社名"], [str(other.pk), "乗っ取り"]], update_duplicates=True)
    assert job.error_count == 1
    other.refresh_from_db()
    assert other.name == "他チーム"


def test_the_same_prospect_twice_in_a_file_is_an_error(personas):
    rows = [
        HEADER,
        ["A社", "owner", "50", "1", "2026/11", "商談中", "紹介"],
        ["A社", "owner", "60", "1", "2026/11", "商談中", "紹介"],
    ]
    job = run_import(personas.owner, rows, update_duplicates=True)
    assert errors_of(job) == [(3, "会社名", "A社")]


def test_owners_are_found_by_username_full_name_and_email(personas):
    personas.teammate.last_name, personas.teammate.first_name = "佐藤", "花子"
    personas.teammate.email = "hanako@example.jp"
    personas.teammate.save()
    rows = [
        ["会社名", "担当者"],
        ["A", "owner"],
        ["B", "田中 翔太"],
        ["C", "田中翔太"],
        ["D", "hanako@example.jp"],
        ["E", "佐藤　花子"],
        ["F", ""],
    ]
    job = run_import(personas.manager, rows)
    assert job.status == JobStatus.DONE, job.errors
    owners = dict(Prospect.objects.filter(name__in="ABCDEF").values_list("name", "owner__username"))
    assert owners == {
        "A": "owner",
        "B": "owner",
        "C": "owner",
        "D": "teammate",
        "E": "teammate",
        "F": "manager",
    }


def test_a_manager_cannot_import_into_another_teams_rep(personas):
    job = run_import(personas.manager, [["会社名", "担当者"], ["A", "outsider"], ["B", "owner"]])
    assert errors_of(job) == [(2, "担当者", "outsider")]
    assert not Prospect.objects.filter(name__in=["A", "B"]).exists()


def test_a_rep_imports_only_their_own_prospects(personas):
    job = run_import(personas.owner, [["会社名", "担当者"], ["A", "teammate"]])
    assert errors_of(job) == [(2, "担当者", "teammate")]
    job = run_import(personas.owner, [["会社名", "担当者"], ["A", "田中 翔太"], ["B", ""]])
    assert job.status == JobStatus.DONE
    assert set(Prospect.objects.filter(name__in=["A", "B"]).values_list("owner", flat=True)) == {
        personas.owner.pk
    }


def test_missing_owners_are_an_error_unless_an_admin_creates_them_inactive(personas):
    rows = [["会社名", "担当者"], ["A", "山本 太郎"], ["B", "山本太郎"], ["C", "new.rep@example.jp"]]
    assert run_import(personas.admin, rows).error_count == 3
    assert not User.objects.filter(last_name="山本").exists()

    # A manager ticking the box gets no new users: the option is for admins only.
    assert run_import(personas.manager, rows, create_owners=True).error_count == 3

    job = run_import(personas.admin, rows, create_owners=True)
    assert job.status == JobStatus.DONE, job.errors
    yamamoto = User.objects.get(last_name="山本")
    assert (yamamoto.first_name, yamamoto.role, yamamoto.is_active) == ("太郎", Role.REP, False)
    assert not yamamoto.has_usable_password()
    assert set(Prospect.objects.filter(name__in="AB").values_list("owner", flat=True)) == {yamamoto.pk}
    assert User.objects.get(email="new.rep@example.jp").is_active is False


def test_owners_created_by_a_failed_import_are_rolled_back(personas):
    rows = [["会社名", "担当者", "確度"], ["A", "山本 太郎", "50"], ["B", "owner", "50"]]
    job = create_job(personas.admin, csv_bytes(rows), create_owners=True)
    job = import_job_preview(job=job)
    assert job.new_owners == ["山本 太郎"]
    job_file(job).write_bytes(csv_bytes([*rows[:-1], ["B", "owner", "500"]]))
    job = import_job_run(job=job)
    assert job.status == JobStatus.FAILED
    assert not User.objects.filter(last_name="山本").exists()


def test_a_formula_looking_cell_is_stored_as_text(personas):
    formula = '=HYPERLINK("http://evil.example","click")'
    job = run_import(personas.owner, [["会社名", "次回アクション"], [formula, "@SUM(1+1)"]])
    assert job.status == JobStatus.DONE
    assert Prospect.objects.filter(name=formula, activities__subject="@SUM(1+1)").exists()


def test_value_mappings_chosen_in_the_browser_win_over_guesses(personas):
    rows = [["会社名", "状況", "担当者"], ["A", "決まり", "しょうた"]]
    job = create_job(personas.manager, csv_bytes(rows))
    assert job.mapping["columns"] == {"会社名": "company_name", "状況": "status", "担当者": "owner"}
    values = {"status": {"決まり": "open"}, "owner": {"しょうた": str(personas.owner.pk)}}
    import_job_set_mapping(job=job, columns=job.mapping["columns"], values=values, save_as="営業部の一覧")
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    prospect = Prospect.objects.get(name="A")
    assert (prospect.status, prospect.owner) == ("open", personas.owner)
    saved = ImportMapping.objects.get(name="営業部の一覧", created_by=personas.manager)
    assert saved.json["values"]["status"] == {"決まり": "open"}


def test_a_saved_mapping_is_reused_for_the_next_file(personas):
    saved = ImportMapping.objects.create(
        name="古い形式",
        created_by=personas.owner,
        json={"columns": {"得意先": "name", "見込": "probability"}, "values": {}},
    )
    job = import_job_create(
        by=personas.owner, upload=upload(csv_bytes([["得意先", "見込"], ["A", "40"]])), saved_mapping=saved
    )
    assert job.mapping["columns"] == {"得意先": "name", "見込": "probability"}
    job = import_job_run(job=import_job_preview(job=job))
    assert Prospect.objects.get(name="A").probability == 40


def test_a_mapping_needs_a_name_column_and_each_field_once(personas):
    job = create_job(personas.owner, csv_bytes([["会社名", "顧客名"], ["A", "B"]]))
    with pytest.raises(ImportRefused):
        import_job_set_mapping(job=job, columns={"会社名": "name", "顧客名": "name"}, values={})
    with pytest.raises(ImportRefused):
        import_job_set_mapping(job=job, columns={"会社名": "phone"}, values={})


def test_the_history_names_the_importer(personas):
    run_import(personas.owner, [["会社名"], ["履歴のある会社"]])
    event = Prospect.objects.get(name="履歴のある会社").events.get()
    assert event.pgh_context.metadata["user"] == personas.owner.pk


def test_new_prospects_get_the_horizon_their_month_suggests(personas):
    from salescrm.lib.months import add_months, this_month

    soon = add_months(this_month(), 1).strftime("%Y/%m")
    run_import(personas.owner, [["会社名", "受注予定月"], ["A", soon], ["B", ""]])
    assert Prospect.objects.get(name="A").horizon == "short"
    assert Prospect.objects.get(name="B").horizon == "long"


def test_an_update_moves_a_horizon_that_followed_the_month_and_keeps_one_chosen_on_purpose(personas):
    from salescrm.lib.months import add_months, this_month

    following = make_prospect(personas.owner, name="追従", expected_month=None, horizon="long")
    chosen = make_prospect(personas.owner, name="指定", expected_month=None, horizon="mid")
    soon = add_months(this_month(), 1).strftime("%Y/%m")
    rows = [["ID", "受注予定月"], [str(following.pk), soon], [str(chosen.pk), soon]]
    job = run_import(personas.owner, rows, update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    following.refresh_from_db()
    chosen.refresh_from_db()
    assert (following.horizon, chosen.horizon) == ("short", "mid")


def test_xlsx_header_and_rows_are_read_like_csv(personas):
    job = create_job(personas.owner, xlsx_bytes(ROWS), "a.xlsx")
    assert job.file_format == "xlsx"
    assert [h["name"] for h in job.headers] == HEADER
    assert job.total_rows == 2


def test_a_blank_owner_cell_keeps_the_owner_of_an_updated_prospect(personas):
    existing = make_prospect(personas.owner, name="鈴木建設", probability=10)
    rows = [["ID", "担当者", "確度"], [str(existing.pk), "", "70"]]
    job = run_import(personas.manager, rows, update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    existing.refresh_from_db()
    assert (existing.owner, existing.probability) == (personas.owner, 70)


def test_an_update_can_close_an_open_prospect_and_reopen_clears_the_outcome(personas):
    existing = make_prospect(personas.owner, name="鈴木建設")
    header = ["ID", "ステータス", "完了日", "受注金額"]
    job = run_import(
        personas.owner, [header, [str(existing.pk), "受注", "2026/10/01", "80万"]], update_duplicates=True
    )
    assert job.status == JobStatus.DONE, job.errors
    existing.refresh_from_db()
    assert (existing.status, existing.won_amount) == ("won", Decimal("800000"))
    job = run_import(personas.owner, [header, [str(existing.pk), "商談中", "", ""]], update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    existing.refresh_from_db()
    assert (existing.status, existing.closed_on, existing.won_amount) == ("open", None, None)


def test_the_uploaded_file_is_removed_once_imported(personas, upload_dir):
    job = run_import(personas.owner, [["会社名"], ["A"]])
    assert job.status == JobStatus.DONE
    assert not job_file(job).exists()


@pytest.mark.parametrize(
    "content",
    [
        b"name\n\x81\x7f\x81\x7f\n",
        "会社名\n鈴木建設\n".encode("utf-16-le"),
        "会社名\n鈴木\n".encode() + b"\x85\xff",
    ],
    ids=["invalid-bytes", "utf-16", "utf8-then-garbage"],
)
def test_bytes_that_are_neither_utf8_nor_cp932_are_refused_with_a_reason(personas, content):
    with pytest.raises(ImportRefused) as info:
        create_job(personas.owner, content)
    reason = str(info.value.reason)
    assert "UTF-8" in reason
    assert not Prospect.objects.filter(name="鈴木建設").exists()


@pytest.mark.parametrize(("existing", "updated"), [(1, True), (2, False), (3, False)])
def test_a_row_updates_the_one_prospect_of_its_name_and_owner_and_says_how_many_share_it_otherwise(
    personas, existing, updated
):
    from tests.factories import ProspectFactory

    for _ in range(existing):
        ProspectFactory(owner=personas.owner, name="キッチン改装", probability=30)
    ProspectFactory(owner=personas.owner, name="浴室改装", probability=30)  # another key: not counted
    job = run_import(
        personas.owner,
        [["見込み客名", "担当者", "確度"], ["キッチン改装", personas.owner.username, "70"]],
        update_duplicates=True,
    )
    if updated:
        assert job.status == JobStatus.DONE, job.errors
        assert Prospect.objects.get(name="キッチン改装").probability == 70
    else:
        from django.utils import translation

        from imports.services.matching import AMBIGUOUS_EXISTING

        with translation.override(job.options.get("language")):  # the job's language
            expected = str(AMBIGUOUS_EXISTING % {"count": existing})
        assert [e["reason"] for e in job.errors] == [expected] and str(existing) in expected
        assert set(Prospect.objects.filter(name="キッチン改装").values_list("probability", flat=True)) == {30}
