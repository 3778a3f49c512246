"""The prospect form's company and contact (名寄せ, #19): a typed name that is an existing customer is
offered before saving (htmx as the rep types; without JavaScript the form comes back with the offer),
attached when picked, or made new; the offer shows what the directory shares, never another rep's deal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from companies.models import Company, Contact
from companies.selectors import likely_companies, likely_contacts
from companies.services import company_merge
from prospects.models import Prospect
from prospects.services import prospect_update
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db

VARIANTS = ["ﾐﾅﾄ工務店(株)", "株式会社 みなと工務店", "㈱ミナト工務店", "ミナト工務店株式会社"]


@pytest.fixture
def minato(personas):
    """ﾐﾅﾄ工務店(株) with two lost deals under a rep of another team, and its contact."""
    company = Company.objects.create(name="ﾐﾅﾄ工務店(株)", furigana="みなとこうむてん", phone="03-1234-5678")
    Contact.objects.create(name="山田 太郎", company=company, email="taro@minato.example")
    for name in ("外壁塗装の秘密案件", "屋根の秘密案件"):
        ProspectFactory(owner=personas.outsider, company=company, name=name, amount=7_654_321, lost=True)
    return company


def _create(**overrides):
    data = {
        "name": "株式会社 みなと工務店",
        "source": "inbound",
        "horizon": "",
        "probability": "30",
        "amount": "500000",
        "expected_month": "",
        "contact_person": "",
        "phone": "",
        "email": "",
        "address": "",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("typed", VARIANTS)
def test_the_four_spellings_are_one_company_and_minato_kogyo_is_another(typed):
    made = {name: Company.objects.create(name=name) for name in [*VARIANTS, "ミナト工業"]}
    found = {c.name for c in likely_companies(typed)}
    assert found == set(VARIANTS)
    assert made["ミナト工業"].name not in found


def test_a_phone_written_another_way_is_the_same_company(minato):
    assert likely_companies("", "０３（１２３４）５６７８") == [minato]  # noqa: RUF001
    assert likely_companies("別の名前", "0312345678") == [minato]
    assert likely_companies("ミナト工業", "03-9999-0000") == []


def test_the_offer_counts_every_deal_and_its_last_activity_month(personas, minato):
    from activities.models import Activity, ActivityKind

    kind, _ = ActivityKind.objects.get_or_create(code="visit", defaults={"label_ja": "訪問"})
    done_at = timezone.make_aware(dt.datetime(2026, 10, 14, 10))
    Activity.objects.create(
        prospect=minato.prospects.first(),
        owner=personas.outsider,
        kind=kind,
        starts_at=done_at,
        status="done",
        done_at=done_at,
    )
    [offered] = likely_companies("株式会社みなと工務店")
    assert offered.deals == 2 and timezone.localdate(offered.last_activity) == dt.date(2026, 10, 14)


def test_a_plain_post_with_a_likely_duplicate_comes_back_with_the_offer(client, personas, minato):
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:create"), _create())
    assert response.status_code == 422
    assert not Prospect.objects.filter(owner=personas.owner, name="株式会社 みなと工務店").exists()
    page = response.content.decode()
    assert f'name="company_pick" value="{minato.pk}"' in page and 'name="company_pick" value="new"' in page
    assert "ﾐﾅﾄ工務店(株)" in page and "2件" in page
    # The form still holds what was typed.
    assert response.context["form"]["amount"].value() == "500000"


def test_the_rep_attaches_to_the_offered_company(client, personas, minato):
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:create"), _create(company_pick=str(minato.pk)))
    assert response.status_code == 302
    prospect = Prospect.objects.get(owner=personas.owner, name="株式会社 みなと工務店")
    assert prospect.company == minato and Company.objects.count() == 1
    assert prospect.contact is None


def test_the_rep_chooses_a_new_company_despite_the_offer(client, personas, minato):
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:create"), _create(company_pick="new", phone="045-000-1111"))
    assert response.status_code == 302
    prospect = Prospect.objects.get(owner=personas.owner, name="株式会社 みなと工務店")
    assert prospect.company != minato
    assert (prospect.company.name, prospect.company.phone) == ("株式会社 みなと工務店", "045-000-1111")


def test_a_name_nobody_has_makes_its_company_and_contact_from_what_was_typed(client, personas, minato):
    client.force_login(personas.owner)
    data = _create(
        name="ミナト工業",
        contact_person="鈴木 花子",
        email="Hanako@Kogyo.example",
        phone="06-1111-2222",
        address="大阪市北区1-2-3",
    )
    assert client.post(reverse("prospects:create"), data).status_code == 302
    prospect = Prospect.objects.select_related("company", "contact").get(name="ミナト工業")
    company, contact = prospect.company, prospect.contact
    assert (company.name, company.phone, company.address) == ("ミナト工業", "06-1111-2222", "大阪市北区1-2-3")
    assert (contact.name, contact.email, contact.phone, contact.company) == (
        "鈴木 花子",
        "Hanako@Kogyo.example",
        "06-1111-2222",
        company,
    )


def test_the_contact_at_the_picked_company_is_offered_and_attached(client, personas, minato):
    yamada = Contact.objects.get(name="山田 太郎")
    client.force_login(personas.owner)
    data = _create(company_pick=str(minato.pk), contact_person="山田太郎")
    response = client.post(reverse("prospects:create"), data)
    assert response.status_code == 422
    assert f'name="contact_pick" value="{yamada.pk}"' in response.content.decode()
    # The company picked is still picked on the page that comes back.
    assert f'name="company_pick" value="{minato.pk}" checked' in response.content.decode()
    response = client.post(reverse("prospects:create"), {**data, "contact_pick": str(yamada.pk)})
    assert response.status_code == 302
    assert Prospect.objects.get(name="株式会社 みなと工務店").contact == yamada


def test_a_contact_of_the_same_name_elsewhere_is_no_likely_duplicate_but_the_same_email_is(minato):
    assert likely_contacts("山田太郎", company_id=None) == []
    assert [c.name for c in likely_contacts("山田太郎", company_id=minato.pk)] == ["山田 太郎"]
    assert [c.name for c in likely_contacts("誰か", "TARO@minato.example")] == ["山田 太郎"]


def test_a_rep_never_sees_another_reps_deal_through_the_offer(client, personas, minato):
    client.force_login(personas.owner)
    pages = [
        client.post(reverse("prospects:create"), _create(contact_person="山田太郎")).content.decode(),
        client.get(
            reverse("prospects:company_offer"), {"name": "みなと工務店"}, headers={"HX-Request": "true"}
        ).content.decode(),
        client.get(
            reverse("prospects:contact_offer"),
            {"contact_person": "山田", "company_pick": minato.pk},
            headers={"HX-Request": "true"},
        ).content.decode(),
    ]
    for page in pages:
        assert "秘密案件" not in page and "7,654,321" not in page
        assert personas.outsider.display_name not in page
        assert reverse("prospects:detail", args=[minato.prospects.first().pk]) not in page
    assert "2件" in pages[0] and "2件" in pages[1]


def test_the_htmx_offer_marks_the_likely_company_and_lists_the_search_matches(client, personas, minato):
    kogyo = Company.objects.create(name="ミナト工業")
    client.force_login(personas.owner)
    response = client.get(
        reverse("prospects:company_offer"), {"name": "みなと工務店"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    options = response.context["form"].company_offer.options
    assert (options[0].record, options[0].likely) == (minato, True)
    # Typing the first letters finds both as the search box does; neither is marked as the same company.
    options = (
        client.get(reverse("prospects:company_offer"), {"name": "ミナト"})
        .context["form"]
        .company_offer.options
    )
    assert {o.record for o in options} == {minato, kogyo} and not any(o.likely for o in options)


def test_the_htmx_offer_keeps_the_pick_already_made(client, personas, minato):
    client.force_login(personas.owner)
    response = client.get(
        reverse("prospects:company_offer"), {"name": "まったく別の名前", "company_pick": minato.pk}
    )
    page = response.content.decode()
    assert f'name="company_pick" value="{minato.pk}" checked' in page


def test_a_pick_that_is_no_record_is_a_form_error_and_a_merged_one_stands_for_the_one_kept(
    client, personas, minato
):
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:create"), _create(company_pick="999999999"))
    assert (
        response.status_code == 422
        and not Prospect.objects.filter(owner=personas.owner).exclude(pk=personas.prospect.pk).exists()
    )
    variant = Company.objects.create(name="㈱ミナト工務店")
    company_merge(keep=minato, merge=variant, by=personas.manager)
    response = client.post(reverse("prospects:create"), _create(company_pick=str(variant.pk)))
    assert response.status_code == 302
    assert Prospect.objects.get(name="株式会社 みなと工務店").company == minato


def test_an_edit_keeps_the_company_when_nothing_is_picked(client, personas, minato):
    mine = ProspectFactory(owner=personas.owner, company=minato, name="ミナト 新築")
    client.force_login(personas.owner)
    data = _create(name="ミナト 新築（改）", version=mine.version)  # noqa: RUF001
    assert client.post(reverse("prospects:edit", args=[mine.pk]), data).status_code == 302
    mine.refresh_from_db()
    assert mine.company == minato and Company.objects.count() == 1


def test_an_edit_form_shows_the_company_and_can_move_to_another(client, personas, minato):
    other = Company.objects.create(name="北野商店")
    mine = ProspectFactory(owner=personas.owner, company=minato, name="ミナト 新築")
    client.force_login(personas.owner)
    page = client.get(reverse("prospects:edit", args=[mine.pk])).content.decode()
    assert f'<input type="hidden" name="company_pick" value="{minato.pk}">' in page
    assert '<input type="hidden" name="company_kept" value="1">' in page
    data = _create(name="ミナト 新築", version=mine.version, company_pick=str(other.pk))
    assert client.post(reverse("prospects:edit", args=[mine.pk]), data).status_code == 302
    mine.refresh_from_db()
    assert mine.company == other and mine.version == 2


def test_a_stale_edit_is_a_conflict_and_keeps_no_company_made_for_it(client, personas):
    prospect = personas.prospect  # no company yet: the rep asks for a new one
    stale = _create(
        name="山田工務店",
        version=prospect.version,
        contact_person="山田 一郎",
        company_pick="new",
        contact_pick="new",
    )
    prospect_update(prospect=prospect, by=personas.manager, expected_version=1, probability=40)
    client.force_login(personas.owner)
    response = client.post(reverse("prospects:edit", args=[prospect.pk]), {**stale, "probability": "60"})
    assert response.status_code == 409
    prospect.refresh_from_db()
    assert prospect.probability == 40 and prospect.company is None
    assert not Company.objects.exists() and not Contact.objects.exists()


def test_an_edit_of_a_prospect_without_company_offers_the_likely_one_for_a_name_typed_anew(
    client, personas, minato
):
    prospect = personas.prospect  # 山田工務店, no company
    client.force_login(personas.owner)
    data = _create(name="㈱ミナト工務店", version=prospect.version)
    response = client.post(reverse("prospects:edit", args=[prospect.pk]), data)
    assert response.status_code == 422
    assert f'name="company_pick" value="{minato.pk}"' in response.content.decode()
    response = client.post(reverse("prospects:edit", args=[prospect.pk]), {**data, "company_pick": minato.pk})
    assert response.status_code == 302
    prospect.refresh_from_db()
    assert prospect.company == minato and prospect.name == "㈱ミナト工務店"


def test_an_edit_that_types_nothing_new_links_nothing(client, personas, minato):
    prospect = personas.prospect
    client.force_login(personas.owner)
    data = _create(name=prospect.name, version=prospect.version, probability="70")
    assert client.post(reverse("prospects:edit", args=[prospect.pk]), data).status_code == 302
    prospect.refresh_from_db()
    assert prospect.company is None and prospect.probability == 70


def test_without_javascript_an_edit_renamed_after_another_company_offers_it_and_can_move_there(
    client, personas, minato
):
    """The edit page posts its current company back as kept, not as a pick: a name typed anew that is
    another company comes back with the offer (current, the likely one, a new one), and a pick moves it."""
    kitano = Company.objects.create(name="北野商店")
    mine = ProspectFactory(owner=personas.owner, company=kitano, name="北野商店 新築")
    client.force_login(personas.owner)
    page = client.get(reverse("prospects:edit", args=[mine.pk])).content.decode()
    assert '<input type="hidden" name="company_kept" value="1">' in page
    data = _create(name="㈱ミナト工務店", version=mine.version, company_pick=str(kitano.pk), company_kept="1")
    response = client.post(reverse("prospects:edit", args=[mine.pk]), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'<input type="radio" name="company_pick" value="{kitano.pk}">' in page
    assert f'<input type="radio" name="company_pick" value="{minato.pk}">' in page
    assert '<input type="radio" name="company_pick" value="new">' in page
    mine.refresh_from_db()
    assert mine.company == kitano and mine.name == "北野商店 新築"
    del data["company_kept"]
    response = client.post(
        reverse("prospects:edit", args=[mine.pk]), {**data, "company_pick": str(minato.pk)}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.company == minato and mine.name == "㈱ミナト工務店"


def test_an_edit_that_keeps_the_current_company_explicitly_is_not_asked_again(client, personas, minato):
    """The rep who saw the offer and chose the current company saves; no loop back to the offer."""
    kitano = Company.objects.create(name="北野商店")
    mine = ProspectFactory(owner=personas.owner, company=kitano, name="北野商店 新築")
    client.force_login(personas.owner)
    data = _create(name="㈱ミナト工務店", version=mine.version, company_pick=str(kitano.pk))
    assert client.post(reverse("prospects:edit", args=[mine.pk]), data).status_code == 302
    mine.refresh_from_db()
    assert mine.company == kitano and mine.name == "㈱ミナト工務店"
