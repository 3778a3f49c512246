"""The data migration companies 0002 on a hand-made data set: row counts, and every text value of every
prospect accounted for on its company and contact (issue 19)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("companies", "0001_directory"), ("prospects", "0019_company_and_contact")]
AFTER = [("companies", "0002_prospects_text_to_directory")]

# (name, contact person, phone, email, address); rows 0 and 1 are exact duplicates, row 2 is the same
# company under a kana variant (a near-duplicate: kept apart for a person to merge), row 3 has the same
# company and another person, row 4 nobody to call, row 5 an individual with odd spacing and width.
ROWS = [
    ("株式会社みなと工務店", "山田 太郎", "03-1234-5678", "yamada@minato.jp", "東京都港区1-2-3"),
    ("株式会社みなと工務店", "山田 太郎", "03-1234-5678", "yamada@minato.jp", "東京都港区1-2-3"),
    ("ﾐﾅﾄ工務店(株)", "山田 太郎", "0312345678", "YAMADA@minato.jp", "東京都港区1-2-3"),
    ("株式会社みなと工務店", "佐藤 花子", "03-1234-5678", "", "東京都港区1-2-3"),
    ("有限会社 北野商店", "", "", "info@kitano.example", ""),
    ("　鈴木　一郎　", "鈴木　一郎", "０９０-１１１１-２２２２", "", "大阪府大阪市北区"),  # noqa: RUF001
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_prospect_text_becomes_companies_and_contacts_without_losing_a_character(personas):
    try:
        old = _migrate(BEFORE)
        Prospect = old.get_model("prospects", "Prospect")
        ids = [
            Prospect.objects.create(
                name=name,
                contact_person=person,
                phone=phone,
                email=email,
                address=address,
                source="other",
                owner_id=personas.owner.pk,
            ).pk
            for name, person, phone, email, address in ROWS
        ]
        before = {
            p["pk"]: p
            for p in Prospect.objects.filter(pk__in=ids).values(
                "pk", "name", "contact_person", "phone", "email", "address", "version"
            )
        }
        new = _migrate(AFTER)
        Prospect = new.get_model("prospects", "Prospect")
        Company = new.get_model("companies", "Company")
        Contact = new.get_model("companies", "Contact")
        # personas.prospect (山田工務店, no contact person) is migrated too: one company more.
        assert Company.objects.count() == 4 + 1
        assert Contact.objects.count() == 4
        after = Prospect.objects.filter(pk__in=ids).select_related("company", "contact")
        for prospect in after:
            was = before[prospect.pk]
            # The prospect's own text is untouched ...
            assert [
                getattr(prospect, f) for f in ("name", "contact_person", "phone", "email", "address")
            ] == [was[f] for f in ("name", "contact_person", "phone", "email", "address")]
            assert prospect.version == was["version"]
            # ... and every value is on its company and contact, character for character.
            company = prospect.company
            assert (company.name, company.phone, company.address) == (
                was["name"],
                was["phone"],
                was["address"],
            )
            if was["contact_person"]:
                contact = prospect.contact
                assert (contact.name, contact.email, contact.phone, contact.company_id) == (
                    was["contact_person"],
                    was["email"],
                    was["phone"],
                    company.pk,
                )
            else:
                assert prospect.contact is None
        by_pk = {p.pk: p for p in after}
        assert by_pk[ids[0]].company_id == by_pk[ids[1]].company_id == by_pk[ids[3]].company_id
        assert by_pk[ids[0]].contact_id == by_pk[ids[1]].contact_id != by_pk[ids[3]].contact_id
        assert by_pk[ids[2]].company_id != by_pk[ids[0]].company_id  # near-duplicate: merged by a person
        assert by_pk[ids[2]].company.name_norm == by_pk[ids[0]].company.name_norm == "ミナト工務店"
        assert by_pk[ids[5]].contact.phone_norm == "09011112222"
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_companies_0003_recomputes_keys_with_a_kana_legal_form_and_leaves_the_others_alone():
    try:
        old = _migrate([("companies", "0002_prospects_text_to_directory")])
        Company = old.get_model("companies", "Company")
        # Keys as the earlier normalisation stored them.
        abbreviated = Company.objects.create(
            name="ﾐﾅﾄ工務店", furigana="ｶ)ﾐﾅﾄｺｳﾑﾃﾝ", furigana_norm="カミナトコウムテン"
        )
        plain = Company.objects.create(
            name="北野商店", name_norm="北野商店", furigana="キタノ", furigana_norm="キタノ"
        )
        new = _migrate([("companies", "0003_kana_legal_forms")])
        Company = new.get_model("companies", "Company")
        assert Company.objects.get(pk=abbreviated.pk).furigana_norm == "ミナトコウムテン"
        assert Company.objects.values_list("name_norm", "furigana_norm").get(pk=plain.pk) == (
            "北野商店",
            "キタノ",
        )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
