"""Flow 6 (名寄せ, #19): a rep types a new prospect whose company already exists under a kana variant, is
offered the match as they type, attaches to it, and finds it again from the top-bar search by its
furigana."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from companies.models import Company
from prospects.models import Prospect, Source
from tests.browser import support
from tests.factories import ProspectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_rep_attaches_a_new_prospect_to_the_company_it_already_is_and_finds_it_by_furigana(
    app, crm, open_page
):
    minato = Company.objects.create(name="ﾐﾅﾄ工務店(株)", furigana="ミナトコウムテン", phone="03-1234-5678")
    for name in ("外壁塗装の見積", "屋根の葺き替え"):  # another team's deals: counted, never shown
        ProspectFactory(owner=crm.outsider, company=minato, name=name, lost=True)
    page = open_page(crm.owner, viewport=support.DESKTOP)

    # The rep types the name as they heard it; the offer appears as they type (htmx, debounced).
    page.goto(f"{app}/prospects/new/")
    page.locator("#id_name").press_sequentially("株式会社みなと工務店", delay=20)
    offer = page.locator("#company-offer")
    pick = offer.locator(f"input[name=company_pick][value='{minato.pk}']")
    expect(pick).to_be_visible()
    expect(offer).to_contain_text("ﾐﾅﾄ工務店(株)")
    expect(offer).to_contain_text("2件")
    expect(offer).not_to_contain_text("外壁塗装の見積")
    expect(offer.locator("input[name=company_pick][value=new]")).to_be_visible()
    support.shot(page, "flow6-1-offer", full_page=True)

    # It is the same company: attach to it and save.
    pick.check()
    page.locator("#id_source").select_option(Source.REFERRAL.value)
    page.locator("#id_probability").fill("40")
    page.locator("#id_amount").fill("2400000")
    page.locator("form.prospect-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    created = Prospect.objects.get(owner=crm.owner, name="株式会社みなと工務店")
    assert created.company_id == minato.pk and Company.objects.count() == 1

    # Later, the top bar's search finds it by the company's furigana, typed in hiragana.
    search = page.locator("form.topsearch input[name=q]")
    search.press_sequentially("みなとこうむてん", delay=20)
    results = page.locator("#topsearch-results")
    expect(results.locator(f"a[href='/companies/{minato.pk}/']")).to_be_visible()
    expect(results.locator(f"a[href='/prospects/{created.pk}/']")).to_be_visible()
    expect(results).not_to_contain_text("外壁塗装の見積")
    support.shot(page, "flow6-2-search", full_page=True)
    results.locator(f"a[href='/companies/{minato.pk}/']").click()
    expect(page).to_have_url(f"{app}/companies/{minato.pk}/")
    deals = page.locator("#deals")
    expect(deals.locator(f"a[href='/prospects/{created.pk}/']")).to_be_visible()
    expect(deals).not_to_contain_text("屋根の葺き替え")
