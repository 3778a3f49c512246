"""Flow 1: a rep's day on a phone, in Japanese. Log in through the form, add a prospect from an inquiry
(反響, long term), find it on the board, move it to short term with the card's menu, log a positive test
closing from the card and apply the proposed update with one click, then mark it won. The board's column
totals (count / amount / weighted) follow every step without the page being reloaded."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from closing.models import Reading, TestClosing
from prospects.models import Horizon, Prospect, Source, Status
from salescrm.lib.months import this_month
from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def column(page: Page, horizon: str) -> dict:
    """The header of one board column, as numbers: count, amount and weighted amount in yen."""
    head = page.locator(f"#col-head-{horizon}")

    def yen(selector: str) -> int:
        return int(re.sub(r"[^\d]", "", head.locator(selector).inner_text()) or 0)

    return {
        "count": int(head.locator(".col-count").get_attribute("data-count")),
        "amount": yen(".col-amount"),
        "weighted": yen(".col-weighted"),
    }


def expect_column(page: Page, horizon: str, count: int, amount: int, weighted: int) -> None:
    head = page.locator(f"#col-head-{horizon}")
    expect(head.locator(".col-count")).to_have_attribute("data-count", str(count))
    expect(head.locator(".col-amount")).to_contain_text(f"{amount:,}")
    expect(head.locator(".col-weighted")).to_contain_text(f"{weighted:,}")


def test_a_rep_adds_an_inquiry_moves_it_tests_the_close_and_wins_it_on_a_phone(app, crm, open_page):
    page = open_page(viewport=support.PHONE)  # logged out: the login form is part of the day
    support.login_via_form(page, app, crm.owner.username, crm.password(crm.owner))
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    # An inquiry came in (反響): a long-term prospect.
    page.goto(f"{app}/prospects/new/")
    page.locator("#id_name").fill("さくら歯科医院")
    page.locator("#id_contact_person").fill("桜井 花子")
    page.locator("#id_source").select_option(Source.INBOUND.value)
    page.locator("#id_horizon").select_option(Horizon.LONG.value)
    page.locator("#id_probability").fill("30")
    page.locator("#id_amount").fill("1200000")
    page.locator("form.prospect-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    p = Prospect.objects.get(name="さくら歯科医院")
    assert (p.owner_id, p.source, p.horizon) == (crm.owner.pk, Source.INBOUND, Horizon.LONG)

    # On the board, in the long-term column.
    page.locator("#navmenu > summary").click()  # the phone's menu button
    page.locator("nav.mainnav a[href='/pipeline/']").first.click()
    expect(page).to_have_url(re.compile(r"/pipeline/"))
    card = page.locator(f"#card-{p.pk}")
    expect(page.locator(f'.cards-list[data-horizon="long"] #card-{p.pk}')).to_be_visible()
    short, long = column(page, "short"), column(page, "long")
    page.evaluate("window.__marker = 'no reload'")  # gone if anything reloads the page
    support.shot(page, "flow1-1-board-phone")

    # The customer is keen: move it to short term with the card's menu (a phone has no drag).
    page.locator(f"#move-{p.pk}").select_option(Horizon.SHORT.value)
    expect(page.locator(f'.cards-list[data-horizon="short"] #card-{p.pk}')).to_have_attribute(
        "data-version", "2"
    )
    expect_column(page, "short", short["count"] + 1, short["amount"] + 1_200_000, short["weighted"] + 360_000)
    expect_column(page, "long", long["count"] - 1, long["amount"] - 1_200_000, long["weighted"] - 360_000)

    # A test closing from the card: a positive answer that reveals this month.
    card.locator("a[href$='/test-closing/']").click()
    dialog = page.locator("#dialog-slot dialog[open]")
    expect(dialog).to_be_visible()
    dialog.locator("#id_question_text").fill(
        "今月中にご契約いただければ導入費を値引きできますが、いかがですか"
    )
    dialog.locator("#id_answer").fill("今月中なら前向きに検討したい")
    dialog.locator(f"input[name=reading][value={Reading.POSITIVE.value}]").check()
    dialog.locator("#id_revealed_month").fill(this_month().strftime("%Y-%m"))
    support.shot(page, "flow1-2-test-closing")
    dialog.locator("button[type=submit]").click()

    # The answer proposes an update: probability 30% -> 70% and this month. One click applies it.
    expect(dialog.locator(".proposal")).to_be_visible()
    expect(dialog.locator("#id_probability")).to_have_value("70")
    support.shot(page, "flow1-3-proposal")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("#dialog-slot dialog")).to_have_count(0)
    expect(card).to_have_attribute("data-version", "3")
    expect_column(page, "short", short["count"] + 1, short["amount"] + 1_200_000, short["weighted"] + 840_000)
    expect(page.locator("#board-status")).to_be_visible()
    tc = TestClosing.objects.get(prospect=p)
    assert (tc.reading, tc.asked_by_id, tc.revealed_month) == (Reading.POSITIVE, crm.owner.pk, this_month())
    p.refresh_from_db()
    assert (p.horizon, p.probability, p.expected_month) == (Horizon.SHORT, 70, this_month())

    # Won: the final amount and the date, from the card. The card leaves the board.
    card.locator("a[href$='/won/']").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("#id_closed_on")).to_have_value(timezone.localdate().isoformat())
    dialog.locator("#id_amount").fill("1150000")
    support.shot(page, "flow1-4-won")
    dialog.locator("button[type=submit]").click()
    # The confirmation names the deal and offers an undo; the board has redrawn behind it.
    expect(dialog.locator(".recorded")).to_contain_text("さくら歯科医院")
    dialog.locator("[data-close-dialog]").click()
    expect(page.locator("#dialog-slot dialog")).to_have_count(0)
    expect(card).to_have_count(0)
    expect_column(page, "short", short["count"], short["amount"], short["weighted"])
    expect_column(page, "long", long["count"] - 1, long["amount"] - 1_200_000, long["weighted"] - 360_000)
    assert page.evaluate("window.__marker") == "no reload"
    support.shot(page, "flow1-5-board-after-won")
    p.refresh_from_db()
    assert (p.status, p.won_amount, p.closed_on) == (Status.WON, Decimal(1150000), timezone.localdate())
    assert p.version == 4
