"""Flow 0: a rep on a phone logs in, adds a prospect from an inquiry, finds it in the list, filters the
list, opens the detail page with its history, and switches the UI to English."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from prospects.models import Prospect, Source
from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ja(text) -> str:
    with translation.override("ja"):
        return str(text)


def test_a_rep_on_a_phone_adds_an_inquiry_finds_it_and_reads_its_history_in_both_languages(
    app, crm, open_page
):
    page = open_page(viewport=support.PHONE)

    # Log in through the real form (Japanese: the browser asks for ja-JP).
    page.goto(f"{app}/prospects/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/prospects/"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    support.assets_loaded(page)
    support.shot(page, "flow0-1-login")
    page.locator("#id_username").fill(crm.owner.username)
    page.locator("#id_password").fill(crm.password(crm.owner))
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{app}/prospects/")
    expect(page.locator("#results")).to_contain_text("青葉商事")

    # Add a prospect that came in as an inquiry (反響).
    page.locator("a[href='/prospects/new/']").first.click()
    expect(page).to_have_url(f"{app}/prospects/new/")
    page.locator("#id_name").fill("さくら歯科医院")
    page.locator("#id_contact_person").fill("桜井 花子")
    page.locator("#id_phone").fill("03-1234-5678")
    page.locator("#id_source").select_option(Source.INBOUND.value)
    page.locator("#id_horizon").select_option("short")
    page.locator("#id_probability").fill("60")
    page.locator("#id_amount").fill("1200000")
    # Plan the next activity: kind, date and note (a phone's date picker fills the ISO date).
    page.locator("#id_next_kind").select_option(label="来場(ショールーム)")
    page.locator("#id_next_on").fill(timezone.localdate().isoformat())
    page.locator("#id_next_subject").fill("ショールーム案内")
    support.shot(page, "flow0-2-new-prospect", full_page=True)
    page.locator("form.prospect-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    created = Prospect.objects.get(name="さくら歯科医院")
    assert (created.owner_id, created.source, created.probability) == (crm.owner.pk, "inbound", 60)
    expect(page.locator("ul.messages")).to_contain_text("さくら歯科医院")

    # It is in the list, with its source shown as 反響.
    page.locator("#navmenu > summary").click()  # the phone's menu button
    page.locator("nav.mainnav a[href='/prospects/']").click()
    expect(page).to_have_url(f"{app}/prospects/")
    row = page.locator("#results tr", has_text="さくら歯科医院")
    expect(row).to_contain_text(ja(Source.INBOUND.label))
    expect(page.locator("#results")).to_contain_text("みなと不動産")
    support.shot(page, "flow0-3-list-phone", full_page=True)

    # Filter by source: htmx swaps the results and the URL keeps the filter.
    page.locator("#id_source").select_option(Source.INBOUND.value)
    expect(page).to_have_url(re.compile(r"[?&]source=inbound(&|$)"))
    expect(page.locator("#results")).not_to_contain_text("みなと不動産")
    expect(page.locator("#results")).to_contain_text("さくら歯科医院")
    # Narrow further by name, then go back: the previous filter comes back, URL and list alike.
    page.locator("#id_q").fill("青葉")
    expect(page).to_have_url(re.compile(r"[?&]q=%E9%9D%92%E8%91%89"))
    expect(page.locator("#results")).not_to_contain_text("さくら歯科医院")
    page.go_back()
    expect(page).to_have_url(re.compile(r"[?&]source=inbound(&|$)"))
    expect(page).not_to_have_url(re.compile(r"q=%E9"))
    expect(page.locator("#results")).to_contain_text("さくら歯科医院")
    expect(page.locator("#results")).not_to_contain_text("みなと不動産")
    expect(page.locator("#id_source")).to_have_value(Source.INBOUND.value)
    expect(page.locator("#id_q")).to_have_value("")
    support.shot(page, "flow0-4-list-filtered", full_page=True)

    # The detail page shows who created it, in the history; its timeline (経過) holds the creation and
    # the next action typed in the form, now a planned activity.
    page.locator("#results a", has_text="さくら歯科医院").click()
    expect(page).to_have_url(f"{app}/prospects/{created.pk}/")
    expect(page.locator("ol.timeline")).to_have_count(1)  # one timeline: its changes are not listed twice
    created_entry = page.locator("#timeline-items > li.tl-change")
    expect(created_entry).to_have_count(1)
    expect(created_entry.first).to_contain_text(crm.owner.display_name)
    timeline = page.locator("#timeline-items > li")
    expect(timeline).to_have_count(2)
    expect(timeline.filter(has_text="ショールーム案内")).to_have_class(re.compile(r"\btl-activity\b"))
    expect(timeline.filter(has_text=crm.owner.display_name).first).to_be_visible()
    support.shot(page, "flow0-5-detail", full_page=True)

    # Switch to English: the same page, English labels.
    page.locator("form.langswitch button[value=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{app}/prospects/{created.pk}/")
    expect(page.locator("main h2", has_text="Timeline")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Inbound inquiry")
    expect(page.locator("#timeline-items > li.tl-change")).to_contain_text("Created")
    support.shot(page, "flow0-6-detail-english", full_page=True)


def test_going_back_past_htmx_history_cache_reloads_the_whole_filtered_list(app, crm, open_page):
    page = open_page(crm.owner)
    page.goto(f"{app}/prospects/")
    # A full cache (more than 10 steps back) or no localStorage: htmx asks the server instead.
    page.evaluate("htmx.config.historyCacheSize = 0")
    page.locator("#id_source").select_option(Source.INBOUND.value)
    expect(page).to_have_url(re.compile(r"[?&]source=inbound(&|$)"))
    page.locator("#id_source").select_option(Source.REFERRAL.value)
    expect(page.locator("#results")).not_to_contain_text(crm.prospect.name)
    page.go_back()
    expect(page.locator("body")).to_contain_text(crm.prospect.name)  # the restore has arrived
    expect(page.locator("header.topbar")).to_have_count(1)
    expect(page.locator("form.filters #id_source")).to_have_value(Source.INBOUND.value)
    expect(page.locator("#results")).not_to_contain_text(crm.pipeline["short"].name)
