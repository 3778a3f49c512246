"""The board in a real Chromium: drag a card (SortableJS -> htmx), move with the card's menu on a phone,
and moves that fail (a concurrent edit, a reassignment) put the card back and say why."""

import re

import pytest
from playwright.sync_api import expect

from prospects.models import Horizon, Prospect
from tests.browser import support
from tests.conftest import make_prospect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 900}


def _count(page, horizon: str) -> int:
    return int(page.locator(f"#col-head-{horizon} .col-count").get_attribute("data-count"))


def test_dragging_a_card_to_another_column_saves_it_without_reloading(app, crm, open_page):
    page = open_page(crm.owner, viewport=DESKTOP)
    p = crm.prospect  # 山田工務店, mid term
    page.goto(f"{app}/pipeline/")
    short_before, mid_before = _count(page, "short"), _count(page, "mid")
    page.evaluate("window.__marker = 1")  # survives only if the page is not reloaded
    page.drag_and_drop(f"#card-{p.pk} .card-facts", '.cards-list[data-horizon="short"]')
    page.wait_for_selector(f'#card-{p.pk}[data-version="2"]')
    assert page.locator(f'.cards-list[data-horizon="short"] #card-{p.pk}').count() == 1
    assert (_count(page, "short"), _count(page, "mid")) == (short_before + 1, mid_before - 1)
    assert page.evaluate("window.__marker") == 1
    p.refresh_from_db()
    assert p.horizon == Horizon.SHORT and p.version == 2
    support.shot(page, "board-drag", full_page=True)


def test_the_cards_menu_moves_it_without_a_mouse_on_a_phone(app, crm, open_page):
    page = open_page(crm.owner)
    p = crm.prospect
    page.goto(f"{app}/pipeline/")
    long_before = _count(page, "long")
    page.select_option(f"#move-{p.pk}", "long")
    page.wait_for_selector(f'#card-{p.pk}[data-version="2"]')
    assert page.locator(f'.cards-list[data-horizon="long"] #card-{p.pk}').count() == 1
    assert _count(page, "long") == long_before + 1
    p.refresh_from_db()
    assert p.horizon == Horizon.LONG


def test_a_conflicting_move_puts_the_card_back_and_says_why(app, crm, open_page):
    page = open_page(crm.owner, viewport=DESKTOP)
    p = crm.prospect
    page.goto(f"{app}/pipeline/")
    Prospect.objects.filter(pk=p.pk).update(version=7, probability=90)  # someone else saved meanwhile
    page.drag_and_drop(f"#card-{p.pk} .card-facts", '.cards-list[data-horizon="long"]')
    page.wait_for_selector(f"#card-{p.pk} .alert.conflict")
    assert page.locator(f'.cards-list[data-horizon="mid"] #card-{p.pk}').count() == 1
    assert page.locator(f"#card-{p.pk}").get_attribute("data-version") == "7"
    p.refresh_from_db()
    assert p.horizon == Horizon.MID


def test_a_move_refused_with_404_puts_the_card_back(app, crm, open_page):
    page = open_page(crm.owner, viewport=DESKTOP)
    p = crm.prospect
    page.goto(f"{app}/pipeline/")
    Prospect.objects.filter(pk=p.pk).update(owner=crm.outsider)  # reassigned away meanwhile
    with page.expect_response(lambda r: r.url.endswith(f"/cards/{p.pk}/move/")) as info:
        page.drag_and_drop(f"#card-{p.pk} .card-facts", '.cards-list[data-horizon="short"]')
    assert info.value.status == 404
    page.wait_for_selector(f'.cards-list[data-horizon="mid"] #card-{p.pk}')
    assert page.locator(f"#move-{p.pk}").input_value() == "mid"
    assert page.locator("#flash").is_visible()
    p.refresh_from_db()
    assert p.horizon == Horizon.MID


def test_another_reps_card_cannot_be_seen(app, crm, open_page):
    other = make_prospect(crm.outsider, name="Outsider deal")
    page = open_page(crm.owner, viewport=DESKTOP)
    page.goto(f"{app}/pipeline/")
    page.wait_for_selector(f"#card-{crm.prospect.pk}")
    assert page.locator(f"#card-{other.pk}").count() == 0


def test_show_more_cards_adds_the_next_cards_to_the_column_in_place(app, crm, open_page, settings):
    settings.BOARD_CARDS_PER_COLUMN = 3
    for i in range(7):
        make_prospect(crm.owner, name=f"Short {i}", horizon=Horizon.SHORT, probability=10 + i)
    page = open_page(crm.owner, viewport=DESKTOP)
    page.goto(f"{app}/pipeline/")
    total = _count(page, "short")
    cards = page.locator("#cards-short .card")
    assert total >= 7 and cards.count() == 3
    page.evaluate("window.__marker = 1")
    page.click("#more-short .more-cards-button")
    expect(cards).to_have_count(6)
    while page.locator("#more-short .more-cards-button").count():
        shown = cards.count()
        page.click("#more-short .more-cards-button")
        expect(cards).to_have_count(min(shown + 3, total))
    ids = page.eval_on_selector_all("#cards-short .card", "cards => cards.map(c => c.id)")
    assert len(ids) == len(set(ids)) == total and page.evaluate("window.__marker") == 1
    # A card added by "more" moves like the others.
    last = ids[-1]
    page.select_option(f"#{last.replace('card', 'move')}", "long")
    page.wait_for_selector(f'.cards-list[data-horizon="long"] #{last}')


def test_a_refused_show_more_says_why_in_the_column(app, crm, open_page, settings):
    settings.BOARD_CARDS_PER_COLUMN = 1
    make_prospect(crm.owner, name="Second short", horizon=Horizon.SHORT)
    page = open_page(crm.owner, viewport=DESKTOP)
    page.goto(f"{app}/pipeline/")
    url = page.locator("#more-short .more-cards-button").get_attribute("hx-get")
    stale = url.split("&after=")[0] + "&after=garbage"  # a position no card has
    page.evaluate("url => htmx.ajax('GET', url, {target: '#cards-short', swap: 'beforeend'})", stale)
    expect(page.locator("#cards-short .alert")).to_contain_text("ボードを再読み込み")
    assert page.locator("#cards-short .card").count() == 1  # nothing else was added


def test_a_reload_after_a_move_keeps_the_card_in_view_and_the_confirmation_names_it(
    app, crm, open_page, settings
):
    import datetime as dt

    settings.BOARD_CARDS_PER_COLUMN = 2
    for i in range(3):  # the short column's first cards: due sooner than the card that moves in
        make_prospect(
            crm.owner, name=f"先の案件{i}", horizon=Horizon.SHORT, expected_month=dt.date(2026, 1, 1)
        )
    p = crm.prospect  # 山田工務店, mid term
    Prospect.objects.filter(pk=p.pk).update(expected_month=dt.date(2027, 6, 1))
    page = open_page(crm.owner, viewport=DESKTOP)
    page.goto(f"{app}/pipeline/")
    page.select_option(f"#move-{p.pk}", "short")
    page.wait_for_selector(f'.cards-list[data-horizon="short"] #card-{p.pk}')
    expect(page.locator("#board-status")).to_contain_text(f"「{p.name}」を短期に移動しました。")
    page.reload()
    card = page.locator(f"#cards-short #card-{p.pk}")
    expect(card).to_be_visible()
    expect(card).to_have_class(re.compile(r"\bpinned\b"))
    assert page.locator("#cards-short .card").count() == 3  # the first two, then the card just moved
    # "Show more" brings the rest of the column, never the pinned card a second time.
    page.click("#more-short .more-cards-button")
    expect(page.locator("#cards-short .card")).to_have_count(5)  # two more of the column
    ids = page.eval_on_selector_all("#cards-short .card", "cards => cards.map(c => c.id)")
    assert len(ids) == len(set(ids))
    support.shot(page, "board-reload-keeps-moved-card", full_page=True)
