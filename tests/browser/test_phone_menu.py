"""On a phone the top navigation is one row with a menu button (it took four rows, ~290 px of 844);
on a desktop every link shows in the bar."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_844 = {"width": 390, "height": 844}


def test_the_top_bar_on_a_phone_is_one_short_row_and_its_menu_opens_over_the_page(app, crm, open_page):
    page = open_page(crm.owner, viewport=PHONE_844)
    page.goto(f"{app}/closing/waiting/")
    support.assets_loaded(page)
    bar = page.locator("header.topbar").bounding_box()
    support.shot(page, "phone-menu-closed")
    assert bar is not None and bar["height"] <= 60, bar  # one row; it was about 290 px
    links = page.locator("nav.mainnav a")
    expect(links.first).to_be_hidden()
    heading = page.locator("main h1").bounding_box()
    page.locator("#navmenu > summary").click()
    expect(page.locator("nav.mainnav a[href='/pipeline/']")).to_be_visible()
    assert page.locator("main h1").bounding_box() == heading  # the panel covers the page, it does not push it
    support.shot(page, "phone-menu-open")
    page.locator("nav.mainnav a[href='/pipeline/']").click()
    expect(page).to_have_url(re.compile(r"/pipeline/$"))
    expect(page.locator("nav.mainnav a").first).to_be_hidden()  # closed again on the next page


def test_on_a_desktop_every_menu_link_shows_without_a_button(app, crm, open_page):
    page = open_page(crm.owner, viewport=support.DESKTOP)
    page.goto(f"{app}/closing/waiting/")
    expect(page.locator("#navmenu > summary")).to_be_hidden()
    for href in ("/", "/prospects/", "/pipeline/", "/pipeline/month/"):
        expect(page.locator(f"nav.mainnav a[href='{href}']")).to_be_visible()
