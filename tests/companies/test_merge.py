"""Merging two companies or two contacts (名寄せ): everything moves to the one that stays, nothing is lost.
Every row of the tables involved is compared before and after."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict

from companies.models import Company, Contact
from companies.services import MERGE_ALREADY, MERGE_SAME, MergeRefused, company_merge, contact_merge
from prospects.models import Prospect
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db

EventCompany = Company.events.rel.related_model
EventContact = Contact.events.rel.related_model


def _rows(model) -> dict[int, dict]:
    return {row.pk: model_to_dict(row, exclude=["updated_at"]) for row in model.objects.all()}


def _event_rows(model) -> dict[int, dict]:
    return {e["pgh_id"]: e for e in model.objects.values()}


@pytest.fixture
def minato(personas):
    keep = Company.objects.create(name="株式会社みなと工務店", phone="03-1234-5678")
    merge = Company.objects.create(
        name="ﾐﾅﾄ工務店(株)", furigana="ミナトコウムテン", corporate_number="7000012050002"
    )
    merge.address = "東京都港区1-2-3"
    merge.save()
    other = Company.objects.create(name="ミナト工業")
    yamada = Contact.objects.create(name="山田 太郎", company=merge, email="yamada@minato.jp")
    sato = Contact.objects.create(name="佐藤 花子", company=keep)
    moved = [
        ProspectFactory(owner=personas.owner, company=merge, contact=yamada),
        ProspectFactory(owner=personas.outsider, company=merge),
    ]
    stays = ProspectFactory(owner=personas.owner, company=keep, contact=sato)
    untouched = ProspectFactory(owner=personas.owner, company=other)
    return {
        "keep": keep,
        "merge": merge,
        "moved": moved,
        "stays": stays,
        "untouched": untouched,
        "yamada": yamada,
    }


def test_a_company_merge_moves_prospects_contacts_and_history_and_loses_nothing(personas, minato):
    keep, merge = minato["keep"], minato["merge"]
    prospects, contacts, companies = _rows(Prospect), _rows(Contact), _rows(Company)
    events = _event_rows(EventCompany)

    company_merge(keep=keep, merge=merge, by=personas.manager)

    after = _rows(Prospect)
    assert after.keys() == prospects.keys()
    for pk, row in prospects.items():
        if pk in {p.pk for p in minato["moved"]}:
            assert after[pk] == {**row, "company": keep.pk, "version": row["version"] + 1}
        else:
            assert after[pk] == row
    after = _rows(Contact)
    assert after == {**contacts, minato["yamada"].pk: {**contacts[minato["yamada"].pk], "company": keep.pk}}
    after = _rows(Company)
    assert after[merge.pk] == {**companies[merge.pk], "merged_into": keep.pk}  # kept, every value as it was
    # The one that stays takes what it lacked, and keeps what it had.
    assert after[keep.pk] == {
        **companies[keep.pk],
        "furigana": "ミナトコウムテン",
        "corporate_number": "7000012050002",
        "address": "東京都港区1-2-3",
    }
    assert {pk: row for pk, row in after.items() if pk not in (keep.pk, merge.pk)} == {
        pk: row for pk, row in companies.items() if pk not in (keep.pk, merge.pk)
    }
    # Every earlier event is still there, the merged company's now under the one that stays.
    after_events = _event_rows(EventCompany)
    for pgh_id, event in events.items():
        moved = event["pgh_obj_id"] == merge.pk
        assert after_events[pgh_id] == ({**event, "pgh_obj_id": keep.pk} if moved else event)
    assert EventCompany.objects.filter(pgh_obj_id=keep.pk, name="ﾐﾅﾄ工務店(株)").exists()


def test_a_contact_merge_moves_prospects_and_history(personas, minato):
    keep = Contact.objects.create(name="山田太郎", phone="090-1111-2222")
    merge = minato["yamada"]
    prospects, contacts = _rows(Prospect), _rows(Contact)
    events = _event_rows(EventContact)

    contact_merge(keep=keep, merge=merge, by=personas.admin)

    after = _rows(Prospect)
    for pk, row in prospects.items():
        expected = (
            {**row, "contact": keep.pk, "version": row["version"] + 1} if row["contact"] == merge.pk else row
        )
        assert after[pk] == expected
    after = _rows(Contact)
    assert after[merge.pk] == {**contacts[merge.pk], "merged_into": keep.pk}
    assert after[keep.pk] == {**contacts[keep.pk], "email": "yamada@minato.jp", "company": minato["merge"].pk}
    after_events = _event_rows(EventContact)
    assert all(pgh_id in after_events for pgh_id in events)
    assert not any(e["pgh_obj_id"] == merge.pk for pgh_id, e in after_events.items() if pgh_id in events)


def test_a_rep_may_not_merge(personas, minato):
    with pytest.raises(PermissionDenied):
        company_merge(keep=minato["keep"], merge=minato["merge"], by=personas.owner)
    assert Company.objects.get(pk=minato["merge"].pk).merged_into is None


def test_a_record_is_not_merged_into_itself_or_twice(personas, minato):
    with pytest.raises(MergeRefused, match=str(MERGE_SAME)):
        company_merge(keep=minato["keep"], merge=minato["keep"], by=personas.admin)
    company_merge(keep=minato["keep"], merge=minato["merge"], by=personas.admin)
    with pytest.raises(MergeRefused, match=str(MERGE_ALREADY)):
        company_merge(keep=minato["untouched"].company, merge=minato["merge"], by=personas.admin)
