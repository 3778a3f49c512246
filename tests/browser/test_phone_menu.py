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


@pytest.mark.parametrize("width", [360, 390])
def test_on_a_phone_every_top_bar_control_fits_and_search_is_one_tap_away(app, crm, open_page, width):
    """The search box squeezed to a blank square and the user menu ran past the right edge."""
    page = open_page(crm.owner, viewport={"width": width, "height": 800})
    page.goto(f"{app}/closing/waiting/")
    support.assets_loaded(page)
    controls = {
        "menu": page.locator("#navmenu > summary"),
        "search": page.locator("a.topsearch-link"),
        "bell": page.locator("details.bell > summary"),
        "language": page.locator("form.langswitch button:visible"),
        "user": page.locator("details.usermenu > summary"),
    }
    for name, control in controls.items():
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        assert box["width"] >= 20, (name, box)  # a control, not a sliver
    expect(page.locator("form.topsearch input")).to_be_hidden()
    controls["user"].click()
    expect(page.locator("details.usermenu a[href$='/accounts/password/']")).to_be_visible()
    controls["user"].click()
    controls["search"].click()
    expect(page).to_have_url(re.compile(r"/companies/search/$"))
    expect(page.locator("main input[name=q]")).to_be_visible()


def test_on_a_desktop_the_search_box_is_in_the_bar(app, crm, open_page):
    page = open_page(crm.owner, viewport=support.DESKTOP)
    page.goto(f"{app}/closing/waiting/")
    expect(page.locator("form.topsearch input")).to_be_visible()
    expect(page.locator("a.topsearch-link")).to_be_hidden()
