"""The one search box: any part of a name, its furigana, a phone or an e-mail, in any kana, width or legal
form, ranked by similarity, among what the user may see; htmx fragment and plain page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from companies.models import Company, Contact
from companies.search import search
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(personas):
    minato = Company.objects.create(name="ﾐﾅﾄ工務店(株)", furigana="みなとこうむてん", phone="03-1234-5678")
    kougyou = Company.objects.create(name="株式会社ミナト工業", furigana="ミナトコウギョウ")
    Company.objects.create(name="北野商店")
    yamada = Contact.objects.create(name="山田 太郎", company=minato, email="Taro@Minato.jp")
    mine = ProspectFactory(owner=personas.owner, company=minato, contact=yamada, name="屋根の葺き替え")
    theirs = ProspectFactory(owner=personas.outsider, company=minato, name="外壁塗装")
    return {"minato": minato, "kougyou": kougyou, "yamada": yamada, "mine": mine, "theirs": theirs}


@pytest.mark.parametrize("query", ["みなと", "ミナト", "ﾐﾅﾄ", "株式会社みなと工務店", "工務店"])
def test_a_name_is_found_in_any_kana_width_or_legal_form(personas, data, query):
    assert data["minato"] in search(personas.owner, query).companies


def test_the_closest_name_ranks_first(personas, data):
    Company.objects.create(name="みなと")
    assert search(personas.owner, "ミナト工務店").companies[0].name == "ﾐﾅﾄ工務店(株)"
    assert search(personas.owner, "ミナト").companies[0].name == "みなと"


def test_furigana_phone_and_email_find_their_records(personas, data):
    assert search(personas.owner, "こうむてん").companies == [data["minato"]]
    assert search(personas.owner, "０３（１２３４）５６７８").companies == [data["minato"]]  # noqa: RUF001
    assert search(personas.owner, "taro@minato.JP").contacts == [data["yamada"]]


def test_prospects_are_found_only_among_those_the_user_may_see(personas, data):
    assert search(personas.owner, "みなと").prospects == [data["mine"]]
    assert search(personas.outsider, "みなと").prospects == [data["theirs"]]
    assert data["minato"] in search(personas.outsider, "みなと").companies
    assert {p.pk for p in search(personas.admin, "みなと").prospects} == {data["mine"].pk, data["theirs"].pk}


def test_another_company_is_not_found(personas, data):
    assert data["kougyou"] not in search(personas.owner, "工務店").companies
    assert search(personas.owner, "さくら").empty


def test_the_page_works_without_javascript_and_as_an_htmx_fragment(client, personas, data):
    client.force_login(personas.teammate)
    page = client.get(reverse("companies:search"), {"q": "ミナトコウムテン"}).content.decode()
    assert "<html" in page.lower() and "ﾐﾅﾄ工務店(株)" in page and "屋根の葺き替え" not in page
    fragment = client.get(reverse("companies:search"), {"q": "みなと"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body.lower() and 'id="search-results"' in body and "ﾐﾅﾄ工務店(株)" in body


def test_every_page_has_the_search_box(client, personas):
    client.force_login(personas.owner)
    assert 'role="search"' in client.get(reverse("home")).content.decode()


def test_the_prospect_list_search_uses_the_same_matching(client, personas, data):
    client.force_login(personas.owner)
    page = client.get(reverse("prospects:list"), {"q": "ﾐﾅﾄｺｳﾑﾃﾝ", "status": ""}).content.decode()
    assert "屋根の葺き替え" in page and "外壁塗装" not in page
    page = client.get(reverse("prospects:list"), {"q": "03-1234-5678", "status": ""}).content.decode()
    assert "屋根の葺き替え" in page
