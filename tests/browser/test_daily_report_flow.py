"""Flow (#18): the long-term wheel on a phone, in Japanese. A rep with an open pipeline alert logs a
flyer drop, adds two prospects from it, marks a visit done and plans the next one in the same step, and
submits the day's report (日報), prefilled from what they logged. Their manager reads the team's day
(who has not submitted) and comments; the rep's home tells them, and the alert's plan shows the flyers
logged this month and the prospects they brought."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, ActivityStatus, LeadActivity
from prospects.models import Horizon, Prospect, Source
from reports.models import DailyReport, DailyReportComment
from reports.selectors import day_figures, next_working_day
from targets.models import Rule
from tests.activities.conftest import kind
from tests.browser import support
from tests.conftest import make_prospect
from tests.factories import PipelineAlertFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _history(owner) -> None:
    """A flyer drop of last month that brought prospects, so the alert's plan has a flyer yield."""
    earlier = timezone.localdate() - dt.timedelta(days=40)
    drop = LeadActivity.objects.create(owner=owner, kind="flyer", on=earlier, flyers=2000, area="港北区")
    for i in range(6):
        make_prospect(owner, name=f"過去の反響{i}", source=Source.FLYER, lead_activity=drop)


def test_a_rep_logs_the_long_term_wheel_and_reports_the_day_and_the_manager_comments(app, crm, open_page):
    owner, manager = crm.owner, crm.personas.manager
    _history(owner)
    PipelineAlertFactory(user=owner, rule=Rule.LONG, current=1, target=5, deficit=4)
    visit = kind("visit")
    mid = crm.pipeline["mid"]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    planned = Activity.objects.create(
        prospect=mid,
        owner=owner,
        kind=visit,
        subject="初回訪問",
        starts_at=timezone.make_aware(dt.datetime.combine(yesterday, dt.time(15, 0))),
    )
    # The setup's own rows count as today's too: the flow adds to them.
    before = day_figures(viewer=owner, owner_ids=(owner.pk,), day=timezone.localdate())[owner.pk]
    page = open_page(owner, viewport=support.PHONE)

    # A flyer drop, in a few taps.
    page.goto(f"{app}/activities/leads/new/?kind=flyer")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.locator("#id_flyers").fill("500")
    page.locator("#id_area").fill("青葉台2丁目")
    page.locator("#id_name").fill("春の内覧会チラシ")
    page.locator("form.leadform button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/activities/leads/\d+/$"))
    drop = LeadActivity.objects.get(owner=owner, flyers=500)
    assert (drop.kind, drop.area, drop.on) == ("flyer", "青葉台2丁目", timezone.localdate())
    support.shot(page, "daily-1-flyer-drop")

    # Two prospects from it: each links to the drop and takes its source (flyer).
    for name in ("青葉台ベーカリー", "みどり整骨院"):
        page.goto(f"{app}/activities/leads/{drop.pk}/")
        page.locator(f"a[href='/prospects/new/?lead_activity={drop.pk}']").click()
        page.locator("#id_name").fill(name)
        page.locator("#id_horizon").select_option(Horizon.LONG.value)
        page.locator("form.prospect-form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/prospects/\d+/$"))
    created = Prospect.objects.filter(lead_activity=drop).order_by("name")
    assert [(p.name, p.source, p.owner_id) for p in created] == [
        ("みどり整骨院", Source.FLYER, owner.pk),
        ("青葉台ベーカリー", Source.FLYER, owner.pk),
    ]

    # Yesterday's planned visit: done, and the next one planned in the same step.
    plan_day = next_working_day(timezone.localdate())
    page.goto(f"{app}/prospects/{mid.pk}/")
    page.locator(f"a[href='/activities/{planned.pk}/done/']").first.click()
    dialog = page.locator("#dialog-slot dialog[open]")
    expect(dialog).to_be_visible()
    dialog.locator("#id_outcome").fill("社長と面談。来週見積もりを希望")
    dialog.locator("#id_next_kind").select_option(str(visit.pk))
    dialog.locator("#id_next_subject").fill("見積もり説明")
    dialog.locator("#id_next_on").fill(plan_day.isoformat())
    support.shot(page, "daily-2-visit-done")
    dialog.locator("button[type=submit]").click()
    expect(page.locator("#dialog-slot dialog")).to_have_count(0)
    planned.refresh_from_db()
    assert planned.status == ActivityStatus.DONE
    assert Activity.objects.filter(
        prospect=mid, status=ActivityStatus.PLANNED, subject="見積もり説明"
    ).exists()

    # The day's report, from the menu: prefilled from what was logged; one comment, one submit.
    page.locator("#navmenu > summary").click()
    page.locator("nav.mainnav a[href='/reports/daily/']").click()
    expect(page).to_have_url(re.compile(r"/reports/daily/"))
    figures = page.locator("table.daily-figures")
    for name, n in (
        ("activities_done", 1),
        ("prospects_created", 2),
        ("lead_activities", 1),
        ("planned_next", 1),
    ):
        expect(figures.locator(f"tr.figure-{name} td")).to_have_text(str(before[name] + n))
    expect(page.locator(".daily-items")).to_contain_text("青葉台ベーカリー")
    page.locator("#id_comment").fill("チラシ500枚、反響2件。みなと不動産は見積もりへ。")
    support.shot(page, "daily-3-report", full_page=True)
    page.locator("form.daily-submit button[type=submit]").click()
    expect(page.locator(".daily-submitted")).to_be_visible()
    report = DailyReport.objects.get(owner=owner, day=timezone.localdate())
    assert report.figures() == {
        **before,
        "activities_done": before["activities_done"] + 1,
        "prospects_created": before["prospects_created"] + 2,
        "lead_activities": before["lead_activities"] + 1,
        "planned_next": before["planned_next"] + 1,
    }
    assert report.comment.startswith("チラシ500枚")

    # The manager: the team's day (the teammate has not submitted), the report, a comment.
    boss = open_page(manager, viewport=support.PHONE)
    boss.goto(f"{app}/reports/daily/team/")
    expect(boss.locator(".daily-missing-list")).to_contain_text(crm.personas.teammate.display_name)
    expect(boss.locator(".daily-missing-list")).not_to_contain_text(owner.display_name)
    boss.locator(f"a[href='/reports/daily/{report.pk}/']").click()
    expect(boss.locator(".daily-comment")).to_contain_text("チラシ500枚")
    boss.locator("#id_body").fill("いいペースです。見積もりは月曜中に。")
    boss.locator("form.comment-form button[type=submit]").click()
    expect(boss.locator("#comments")).to_contain_text("いいペースです")
    support.shot(boss, "daily-4-manager-comment")
    assert DailyReportComment.objects.get(report=report).author_id == manager.pk

    # The rep's home: the new comment, and the alert's plan with this month's flyers and leads.
    page.goto(f"{app}/")
    news = page.locator(".daily-new-comments")
    expect(news).to_be_visible()
    plan = page.locator(".activity-plan")
    expect(plan.first).to_contain_text("500")
    support.shot(page, "daily-5-home", full_page=True)
    news.locator("a").first.click()
    expect(page.locator("#comments")).to_contain_text("いいペースです")
    page.goto(f"{app}/")
    expect(page.locator(".daily-new-comments")).to_have_count(0)
