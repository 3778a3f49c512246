"""Two flows of issue 17: the horizon follows the expected month on the form until the rep picks one,
and a won deal is undone from the confirmation right after the click, with a reason in the history."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from closing.models import Reopening
from prospects.models import Prospect, Status
from salescrm.lib.months import add_months, this_month
from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ja(text) -> str:
    with translation.override("ja"):
        return str(text)


def test_the_horizon_follows_the_expected_month_on_the_form_until_the_rep_picks_one(app, crm, open_page):
    page = open_page(crm.owner, viewport=support.PHONE)
    page.goto(f"{app}/prospects/new/")
    support.assets_loaded(page)
    horizon = page.locator("#id_horizon")
    expect(horizon.locator("option:checked")).to_have_text("受注予定月に合わせる(長期)")

    page.locator("#id_name").fill("ひまわり薬局")
    # The name's limit is shown, with a live count (the browser would cut a longer name silently).
    expect(page.locator("[data-limit-for=id_name]")).to_have_text("最大200文字 (6/200)")
    page.locator("#id_source").select_option("inbound")
    page.locator("#id_expected_month").fill(this_month().strftime("%Y-%m"))
    page.locator("#id_expected_month").dispatch_event("change")
    expect(horizon.locator("option:checked")).to_have_text("受注予定月に合わせる(短期)")
    expect(page.locator("#horizon-hint")).to_have_text("")
    support.shot(page, "horizon-follows-month", full_page=True)

    # A horizon picked on purpose stays, and the form points out what the month suggests.
    page.locator("#id_horizon").select_option("mid")
    expect(page.locator("#horizon-hint")).to_contain_text("短期")
    page.locator("#id_expected_month").fill(add_months(this_month(), 1).strftime("%Y-%m"))
    page.locator("#id_expected_month").dispatch_event("change")
    expect(page.locator("#id_horizon")).to_have_value("mid")

    # Back to following the month, then saved: the horizon is the month's suggestion.
    page.locator("#id_horizon").select_option("")
    page.locator("form.prospect-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    assert Prospect.objects.get(name="ひまわり薬局").horizon == "short"


def test_a_rep_undoes_a_won_deal_from_the_confirmation_with_a_reason(app, crm, open_page):
    prospect = crm.pipeline["short"]
    page = open_page(crm.owner, viewport=support.PHONE)
    page.goto(f"{app}/prospects/{prospect.pk}/")
    page.locator(f"a[href='/closing/prospects/{prospect.pk}/won/']").first.click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    dialog.locator("button[type=submit]").click()

    # The confirmation names the deal and offers the undo.
    expect(dialog.locator(".recorded")).to_have_text(f"「{prospect.name}」を受注として記録しました。")
    assert Prospect.objects.get(pk=prospect.pk).status == Status.WON
    support.shot(page, "won-confirmation-with-undo")
    dialog.get_by_text("元に戻す").click()

    # The reopen dialog asks why; the page comes back open, with the reason in its history.
    dialog = page.locator("dialog[open]")
    expect(dialog.locator("textarea")).to_be_visible()
    dialog.locator("textarea").fill("押し間違い")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("h1 .badge")).to_have_text(ja(Status.OPEN.label))
    expect(page.get_by_text("理由: 押し間違い").first).to_be_visible()
    reopened = Prospect.objects.get(pk=prospect.pk)
    from activities.selectors import next_planned

    assert reopened.status == Status.OPEN  # and its planned next step is back
    assert next_planned(reopened).subject == "見積書を送付"
    assert Reopening.objects.get(prospect=prospect).reason == "押し間違い"


def test_the_quick_edit_takes_over_a_budget_a_test_closing_revealed(app, crm, open_page):
    from decimal import Decimal

    from tests.factories import TestClosingFactory

    prospect = crm.pipeline["short"]
    TestClosingFactory(prospect=prospect, revealed_budget=Decimal(3000000))
    page = open_page(crm.owner, viewport=support.DESKTOP)
    page.goto(f"{app}/pipeline/")
    card = page.locator(f"#card-{prospect.pk}")
    card.locator(f"button[hx-get='/pipeline/cards/{prospect.pk}/edit/']").click()
    offer = page.locator(f"#card-{prospect.pk} .budget-offer")
    expect(offer).to_contain_text("¥3,000,000")
    offer.locator("button").click()
    expect(page.locator(f"#card-{prospect.pk} [name=amount]")).to_have_value("3000000")
    page.locator(f"#card-{prospect.pk} form.quick-edit button[type=submit]").click()
    expect(page.locator(f"#card-{prospect.pk} form.quick-edit")).to_have_count(0)
    assert Prospect.objects.get(pk=prospect.pk).amount == Decimal(3000000)
