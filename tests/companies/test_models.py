"""Companies and contacts: the corporate number's check digit, the normalised columns, history, pg_trgm."""
# ruff: noqa: RUF001 - a full-width digit is one of the refused corporate numbers

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from companies.models import CORPORATE_NUMBER_CHECK, CORPORATE_NUMBER_DIGITS, Company, Contact

pytestmark = pytest.mark.django_db

NTA = "7000012050002"  # 国税庁's own 法人番号


def test_a_real_corporate_number_is_accepted():
    Company(name="国税庁", corporate_number=NTA).full_clean()


def test_a_wrong_check_digit_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as refused:
        Company(name="国税庁", corporate_number="8000012050002").full_clean()
    assert refused.value.message_dict["corporate_number"] == [str(CORPORATE_NUMBER_CHECK)]


@pytest.mark.parametrize("number", ["700001205000", "70000120500021", "70000l2050002", "７000012050002"])
def test_a_corporate_number_that_is_not_13_digits_is_refused(number):
    with pytest.raises(ValidationError) as refused:
        Company(name="x", corporate_number=number).full_clean()
    assert str(CORPORATE_NUMBER_DIGITS) in refused.value.message_dict["corporate_number"]


def test_save_keeps_the_normalised_columns():
    company = Company.objects.create(name="ﾐﾅﾄ工務店(株)", furigana="みなとこうむてん", phone="03-1234-5678")
    company.refresh_from_db()
    assert (company.name_norm, company.furigana_norm, company.phone_norm) == (
        "ミナト工務店",
        "ミナトコウムテン",
        "0312345678",
    )
    company.name = "株式会社ミナト工業"
    company.save(update_fields=["name"])
    company.refresh_from_db()
    assert company.name_norm == "ミナト工業"


def test_a_contact_keeps_its_normalised_email_and_phone():
    contact = Contact.objects.create(
        name="山田 太郎", email="Taro@Minato.JP", phone="０３（１２３４）５６７８"
    )
    contact.refresh_from_db()
    assert (contact.name_norm, contact.email_norm, contact.phone_norm) == (
        "山田太郎",
        "taro@minato.jp",
        "0312345678",
    )


def test_a_name_that_normalising_lengthens_saves_with_its_matching_text_cut_to_the_column():
    """NFKC writes ㌀ as アパート: a name at its length limit normalises to four times as much. It saves
    (it used to fail with "value too long", a server error on the prospect form), and still matches."""
    company = Company(name="㌀" * 200, furigana="㌀" * 200, phone="1" * 40)
    company.full_clean()
    company.save()
    contact = Contact.objects.create(name="㌀" * 100, furigana="㌀" * 100, company=company)
    company.refresh_from_db()
    contact.refresh_from_db()
    assert company.name_norm == company.furigana_norm == "アパート" * 50
    assert contact.name_norm == contact.furigana_norm == "アパート" * 25
    twin = Company(name="㌀" * 200)
    twin.normalize()
    assert twin.name_norm == company.name_norm


def test_changes_to_a_company_are_kept_in_its_history():
    company = Company.objects.create(name="みなと工務店")
    company.notes = "紹介元: 佐藤様"
    company.save()
    assert [e.pgh_label for e in company.events.order_by("pgh_id")] == ["insert", "update"]


def test_pg_trgm_makes_trigrams_of_japanese_text():
    # The database's ctype must class kana and kanji as letters, or the trigram indexes stay empty.
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_length(show_trgm(%s), 1)", ["ミナト工務店"])
        assert cursor.fetchone()[0] >= 4


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # As at volume, where a scan of the table is dearer than the indexes (a test table is tiny).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("model", "index"), [(Company, "company_name_norm_exact"), (Contact, "contact_name_norm_exact")]
)
def test_a_batch_of_exact_names_is_read_from_the_btree_never_the_trigram_index(model, index):
    """The import's 名寄せ asks for thousands of names at once: from the trigram GIN index each probe walks
    the postings of common trigrams (「号店」), and a 100,000-row import of new companies took 8 minutes."""
    from companies.models import name_norm_in

    model.objects.bulk_create(
        [model(name=f"ミナト商事{n}号店", name_norm=f"ミナト商事{n}号店") for n in range(50)]
    )
    wanted = model.objects.filter(name_norm_in(["ミナト商事3号店", "ミナト商事7号店", "どこにもない"]))
    assert sorted(wanted.values_list("name", flat=True)) == ["ミナト商事3号店", "ミナト商事7号店"]
    plan = _plan(wanted)
    assert index in plan and "trgm" not in plan, plan


def test_exact_names_are_compared_byte_for_byte_so_the_full_width_form_is_another_name():
    from companies.models import name_norm_in

    Company.objects.create(name="ミナト工務店")
    assert Company.objects.filter(name_norm_in(["ミナト工務店"])).count() == 1
    assert Company.objects.filter(name_norm_in(["ﾐﾅﾄ工務店"])).count() == 0  # callers pass normalised names
