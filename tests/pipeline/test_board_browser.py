"""The board in a real Chromium: drag a card (SortableJS -> htmx), move with the card's menu, and a
conflicting move that puts the card back. Run with Debian's chromium (bin/test checks it is there)."""

import os
import shutil

import pytest
from django.conf import settings

from prospects.models import Horizon, Prospect
from tests.conftest import make_prospect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def browser_page(live_server, client, personas):
    if not CHROMIUM:
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync Playwright API runs an event loop
    client.force_login(personas.owner)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.errors = errors
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _count(page, horizon):
    return page.locator(f"#col-head-{horizon} .col-count").get_attribute("data-count")


def test_dragging_a_card_to_another_column_saves_it_without_reloading(browser_page, live_server, personas):
    page = browser_page
    p = personas.prospect
    page.goto(live_server.url + "/pipeline/")
    page.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    card = page.locator(f"#card-{p.pk} .card-name")
    page.drag_and_drop(f"#card-{p.pk} .card-facts", '.cards-list[data-horizon="short"]')
    page.wait_for_selector(f'#card-{p.pk}[data-version="2"]')
    assert card.is_visible()
    assert page.locator(f'.cards-list[data-horizon="short"] #card-{p.pk}').count() == 1
    assert _count(page, "short") == "1" and _count(page, "mid") == "0"
    assert page.evaluate("window.__marker") == 1
    p.refresh_from_db()
    assert p.horizon == Horizon.SHORT and p.version == 2
    assert not [e for e in page.errors if "Content Security Policy" in e]


def test_the_cards_menu_moves_it_without_a_mouse_on_a_phone(browser_page, live_server, personas):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})
    p = personas.prospect
    page.goto(live_server.url + "/pipeline/")
    page.select_option(f"#move-{p.pk}", "long")
    page.wait_for_selector(f'#card-{p.pk}[data-version="2"]')
    assert page.locator(f'.cards-list[data-horizon="long"] #card-{p.pk}').count() == 1
    assert _count(page, "long") == "1"
    p.refresh_from_db()
    assert p.horizon == Horizon.LONG


def test_a_conflicting_move_puts_the_card_back_and_says_why(browser_page, live_server, personas):
    page = browser_page
    p = personas.prospect
    page.goto(live_server.url + "/pipeline/")
    Prospect.objects.filter(pk=p.pk).update(version=7, probability=90)  # someone else saved meanwhile
    page.drag_and_drop(f"#card-{p.pk} .card-facts", '.cards-list[data-horizon="long"]')
    page.wait_for_selector(f"#card-{p.pk} .alert.conflict")
    assert page.locator(f'.cards-list[data-horizon="mid"] #card-{p.pk}').count() == 1
    assert page.locator(f"#card-{p.pk}").get_attribute("data-version") == "7"
    p.refresh_from_db()
    assert p.horizon == Horizon.MID


def test_a_move_refused_with_404_puts_the_card_back(browser_page, live_server, personas):
    page = browser_page
    p = personas.prospect
    page.goto(live_server.url + "/pipeline/")
    Prospect.objects.filter(pk=p.pk).update(owner=personas.outsider)  # reassigned away meanwhile
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{p.pk}/move/")) as info:
        page.drag_and_drop(f"#card-{p.pk} .card-facts", '.cards-list[data-horizon="short"]')
    assert info.value.status == 404
    page.wait_for_selector(f'.cards-list[data-horizon="mid"] #card-{p.pk}')
    assert page.locator(f"#move-{p.pk}").input_value() == "mid"
    assert page.locator("#flash").is_visible()
    p.refresh_from_db()
    assert p.horizon == Horizon.MID


def test_another_reps_card_cannot_be_seen(browser_page, live_server, personas):
    other = make_prospect(personas.outsider, name="Outsider deal")
    page = browser_page
    page.goto(live_server.url + "/pipeline/")
    assert page.locator(f"#card-{other.pk}").count() == 0
