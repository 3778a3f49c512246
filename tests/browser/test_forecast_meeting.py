"""Flow 2: the forecast meeting (ヨミ会). A manager opens 今月買うかもリスト for their team, changes the
month and the rep filter (the URL keeps both), exports the list as CSV and opens the print view."""

from __future__ import annotations

import codecs
import csv
import io
import re
from decimal import Decimal

import pytest
from django.utils import translation
from playwright.sync_api import expect

from pipeline.views import EXPORT_HEADER
from prospects.models import Horizon, Source
from salescrm.lib.months import add_months, this_month
from tests.browser import support
from tests.conftest import make_prospect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ja(text) -> str:
    with translation.override("ja"):
        return str(text)


def test_a_manager_runs_the_forecast_meeting_from_the_monthly_list(app, crm, open_page):
    month, next_month = this_month(), add_months(this_month(), 1)
    make_prospect(
        crm.teammate,
        name="東西電機",
        source=Source.FLYER,
        horizon=Horizon.SHORT,
        probability=60,
        expected_month=month,
        amount=Decimal("1000000"),
    )
    make_prospect(
        crm.owner,
        name="みどり薬局",
        horizon=Horizon.MID,
        probability=50,
        expected_month=next_month,
        amount=Decimal("3000000"),
    )
    make_prospect(crm.outsider, name="北斗運輸 第二倉庫", horizon=Horizon.SHORT, expected_month=month)
    team_scope, owner_scope = f"team-{crm.team.pk}", f"user-{crm.owner.pk}"

    page = open_page(crm.manager, viewport=support.DESKTOP)
    page.goto(f"{app}/pipeline/month/")
    results = page.locator("#results")
    # The manager's own team by default: both reps' prospects of this month, nobody else's.
    expect(page.locator("#id_scope")).to_have_value(team_scope)
    expect(results.locator("table.month-list")).to_contain_text("青葉商事")
    expect(results.locator("table.month-list")).to_contain_text("東西電機")
    expect(results).not_to_contain_text("北斗運輸")
    expect(results).not_to_contain_text("みどり薬局")
    support.shot(page, "flow2-1-monthly-list-team", full_page=True)

    # Next month: htmx swaps the list and the URL says which month and scope it shows.
    page.locator("#id_month").fill(next_month.strftime("%Y-%m"))
    expect(page).to_have_url(re.compile(rf"month={next_month:%Y-%m}"))
    expect(page).to_have_url(re.compile(rf"scope={team_scope}"))
    expect(results.locator("table.month-list")).to_contain_text("みどり薬局")
    expect(results).not_to_contain_text("青葉商事")

    # One rep only: the month stays.
    page.locator("#id_scope").select_option(owner_scope)
    expect(page).to_have_url(re.compile(rf"scope={owner_scope}"))
    expect(page).to_have_url(re.compile(rf"month={next_month:%Y-%m}"))
    expect(results.locator(".listhead")).to_contain_text(crm.owner.display_name)

    # Back to this month with the month navigation: the rep filter stays.
    results.locator(f".monthnav a[href*='month={month:%Y-%m}']").click()
    expect(page).to_have_url(re.compile(rf"scope={owner_scope}&month={month:%Y-%m}"))
    expect(page.locator("#id_scope")).to_have_value(owner_scope)
    expect(page.locator("#id_month")).to_have_value(f"{month:%Y-%m}")
    rows = results.locator("table.month-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("青葉商事")
    total = results.locator("table.totals tfoot tr.scope-total")
    expect(total).to_contain_text("¥2,400,000")
    expect(total).to_contain_text("¥1,920,000")  # 80% of it
    support.shot(page, "flow2-2-monthly-list-rep", full_page=True)

    # CSV for the meeting's spreadsheet: UTF-8 with a BOM (Excel), Japanese header, the row.
    with page.expect_download() as download:
        results.locator("a[href$='format=csv']").click()
    assert download.value.suggested_filename.startswith(f"might-buy-{month:%Y-%m}-{owner_scope}")
    raw = download.value.path().read_bytes()
    assert raw.startswith(codecs.BOM_UTF8)
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0] == [ja(h) for h in EXPORT_HEADER]
    assert table[0][:2] == ["担当者", "見込み客"]
    assert len(table) == 2
    row = dict(zip(table[0], table[1], strict=True))
    assert row["担当者"] == crm.owner.display_name
    assert row["見込み客"] == "青葉商事"
    assert row[ja(EXPORT_HEADER[2])] == "紹介"
    assert Decimal(row[ja(EXPORT_HEADER[3])]) == Decimal("2400000")
    assert Decimal(row[ja(EXPORT_HEADER[6])]) == Decimal("1920000")
    assert row[ja(EXPORT_HEADER[7])] == f"{month:%Y-%m}"

    # The print view opens in a new tab: no navigation or filters, the totals and the list, A4 print CSS.
    with page.context.expect_page() as popup:
        results.locator("a[href*='print=1']").click()
    printed = popup.value
    printed.wait_for_load_state()
    expect(printed).to_have_url(re.compile(rf"scope={owner_scope}&month={month:%Y-%m}&print=1"))
    expect(printed.locator("body")).to_have_class(re.compile(r"\bprint-view\b"))
    expect(printed.locator("form.filters")).to_have_count(0)
    has_print_css = printed.evaluate(
        """() => [...document.styleSheets].some(s => (s.href || '').includes('/static/css/pipeline.css')
             && [...s.cssRules].some(r => r.media && r.media.mediaText === 'print'))"""
    )
    assert has_print_css, "the print stylesheet of pipeline.css did not load"
    printed.emulate_media(media="print")
    expect(printed.locator("header.topbar")).to_be_hidden()
    expect(printed.locator(".monthnav")).to_be_hidden()
    expect(printed.locator("table.totals tfoot")).to_contain_text("¥2,400,000")
    expect(printed.locator("table.month-list")).to_contain_text("青葉商事")
    support.shot(printed, "flow2-3-print-view", full_page=True)


def test_the_meeting_sees_a_deal_carried_over_from_an_earlier_month(app, crm, open_page):
    month = this_month()
    slipped_from = add_months(month, -2)
    make_prospect(
        crm.teammate,
        name="遅延商事",
        horizon=Horizon.SHORT,
        probability=70,
        expected_month=slipped_from,
        amount=Decimal("5000000"),
    )
    page = open_page(crm.manager, viewport=support.DESKTOP)
    page.goto(f"{app}/pipeline/month/")
    results = page.locator("#results")
    expect(results.locator(".carry-rule")).to_contain_text("受注予定月を過ぎた商談中の見込み客")
    row = results.locator("table.month-list tbody tr", has_text="遅延商事")
    expect(row).to_have_count(1)
    with translation.override("ja"):
        from salescrm.templatetags.crm import format_month

        expect(row.locator(".carried-from")).to_have_text(f"{format_month(slipped_from)}から持ち越し")
    expect(results.locator("table.totals tfoot .carried")).to_contain_text("¥5,000,000")
    expect(results.locator(".carried-total")).to_contain_text("持ち越し")
    support.shot(page, "flow2-4-carried-over-deal", full_page=True)

    # The snapshot keeps it: the forecast accuracy page lists it as still open in this month.
    page.locator(".snapshot-box button").click()
    expect(page.locator("h1")).to_contain_text(crm.team.name)
    expect(page.locator("body")).to_contain_text("遅延商事")
    # Last month's list does not repeat it: it is carried only into the current month.
    page.goto(f"{app}/pipeline/month/?month={add_months(month, -1):%Y-%m}")
    expect(page.locator("#results")).not_to_contain_text("遅延商事")
    expect(page.locator(".carry-rule")).to_have_count(0)
