"""The manager's and the admin's chores in the browser: a manager reads the team table first and moves
the ticked prospects to a teammate from the list; an admin deactivates a leaving rep and hands their
open prospects to another rep in one step (担当替え)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from prospects.models import Prospect
from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_team_table_first_and_reassigns_ticked_prospects(app, crm, open_page):
    page = open_page(crm.manager, viewport=support.DESKTOP)
    page.goto(app + "/")
    expect(page.locator("section.team-overview table.reps")).to_be_visible()
    expect(page.locator("section.team-overview tfoot")).to_contain_text("合計")

    page.goto(app + "/prospects/")
    page.locator("input[data-select-all]").check()
    ticked = page.locator('input[name="selected"]:checked')
    expect(ticked).to_have_count(Prospect.objects.filter(owner=crm.owner, status="open").count())
    page.select_option("#bulk_action", "owner")
    page.select_option("#bulk_owner", str(crm.teammate.pk))
    page.get_by_role("button", name="選んだ見込み客に適用").click()
    expect(page.locator(".messages")).to_contain_text("件を変更しました")
    assert not Prospect.objects.filter(owner=crm.owner, status="open").exists()


def test_an_admin_deactivates_a_leaving_rep_and_hands_over_their_prospects(app, crm, open_page):
    open_before = Prospect.objects.filter(owner=crm.owner, status="open").count()
    page = open_page(crm.admin, viewport=support.DESKTOP)
    page.goto(app + "/accounts/users/")
    row = page.locator(f"#user-{crm.owner.pk}")
    row.get_by_role("button", name="無効にする").click()
    expect(page.locator(f"#user-{crm.owner.pk}")).to_contain_text("無効")
    page.locator(f"#user-{crm.owner.pk}").get_by_role("link", name="商談中の見込み客を担当替え").click()
    expect(page.locator("main")).to_contain_text(f"{open_before} 件")
    page.select_option("#id_to_owner", str(crm.teammate.pk))
    page.get_by_role("button", name="担当替えする").click()
    expect(page).to_have_url(re.compile(r"/accounts/users/$"))
    expect(page.locator(".messages")).to_contain_text("担当替えしました")
    assert Prospect.objects.filter(owner=crm.teammate, status="open").count() >= open_before
    assert not Prospect.objects.filter(owner=crm.owner, status="open").exists()
