"""The daily report (日報) with hand-made data whose answers are known: the day's figures, the snapshot
kept at submission, resubmitting (versioned), who has not submitted, comments and who sees them, and
404 outside the visibility rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import ActivityStatus, LeadActivity
from reports import services
from reports.forms import FUTURE_DAY_MESSAGE
from reports.models import MAX_COMMENT_LENGTH, DailyReport, DailyReportComment
from reports.selectors import day_figures, next_working_day, team_day, unread_comment_reports
from tests.activities.conftest import at, make_activity
from tests.conftest import make_prospect, make_user
from tests.factories import TestClosingFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 4)  # a Wednesday, in the past
FRIDAY = dt.date(2026, 11, 6)


def _done(prospect, day: dt.date, hour: int = 10):
    return make_activity(
        prospect, starts_at=at(day, hour), status=ActivityStatus.DONE, done_at=at(day, hour + 1)
    )


def _owners_day(personas) -> None:
    """The owner's Wednesday: 1 activity done, 2 prospects created, 1 test closing, 1 outcome (won),
    1 flyer drop, 1 activity planned for Thursday. Around it, rows of other days and other reps."""
    owner, teammate = personas.owner, personas.teammate
    p = personas.prospect
    _done(p, DAY)
    _done(p, DAY - dt.timedelta(days=1))  # Tuesday's
    _done(make_prospect(teammate), DAY)  # the teammate's
    make_prospect(owner, name="新規A", created_at=at(DAY, 9))
    make_prospect(owner, name="新規B", created_at=at(DAY, 16))
    make_prospect(owner, name="翌日", created_at=at(DAY + dt.timedelta(days=1), 9))
    TestClosingFactory(prospect=p, asked_at=at(DAY, 14))
    TestClosingFactory(prospect=p, asked_at=at(DAY + dt.timedelta(days=1), 14))
    make_prospect(owner, name="受注", won=True, closed_on=DAY, created_at=at(DAY - dt.timedelta(days=30)))
    LeadActivity.objects.create(owner=owner, kind="flyer", on=DAY, flyers=500, area="世田谷")
    LeadActivity.objects.create(owner=teammate, kind="flyer", on=DAY, flyers=300)
    make_activity(p, starts_at=at(DAY + dt.timedelta(days=1), 10))  # Thursday: the next working day
    make_activity(p, starts_at=at(DAY + dt.timedelta(days=2), 10))  # Friday: later


EXPECTED = {
    "activities_done": 1,
    "prospects_created": 2,
    "test_closings": 1,
    "outcomes": 1,
    "lead_activities": 1,
    "planned_next": 1,
}


def test_the_days_figures_count_that_rep_and_that_day_only(personas):
    _owners_day(personas)
    figures = day_figures(
        viewer=personas.manager, owner_ids=(personas.owner.pk, personas.teammate.pk), day=DAY
    )
    assert figures[personas.owner.pk] == EXPECTED
    assert figures[personas.teammate.pk] == {
        **dict.fromkeys(EXPECTED, 0),
        "activities_done": 1,
        "lead_activities": 1,
    }


def test_a_fridays_plan_runs_to_monday(personas):
    assert next_working_day(FRIDAY) == dt.date(2026, 11, 9)
    p = personas.prospect
    for days in (1, 2, 3, 4):  # Saturday, Sunday, Monday count; Tuesday does not
        make_activity(p, starts_at=at(FRIDAY + dt.timedelta(days=days), 9))
    figures = day_figures(viewer=personas.owner, owner_ids=(personas.owner.pk,), day=FRIDAY)
    assert figures[personas.owner.pk]["planned_next"] == 3


def test_an_outsider_sees_no_figures_of_a_rep_they_may_not_see(personas):
    _owners_day(personas)
    figures = day_figures(viewer=personas.outsider, owner_ids=(personas.owner.pk,), day=DAY)
    assert figures[personas.owner.pk] == dict.fromkeys(EXPECTED, 0)


def test_the_page_shows_the_prefilled_day_and_submitting_stores_a_snapshot(personas, client):
    _owners_day(personas)
    client.force_login(personas.owner)
    page = client.get(reverse("reports:daily"), {"date": DAY.isoformat()})
    assert page.status_code == 200
    assert page.context["rep_day"].figures == EXPECTED
    assert "新規A" in page.content.decode() and "世田谷" in page.content.decode()
    response = client.post(
        reverse("reports:daily") + f"?date={DAY}", {"day": DAY.isoformat(), "comment": "チラシ500枚"}
    )
    assert response.status_code == 302
    report = DailyReport.objects.get(owner=personas.owner, day=DAY)
    assert (report.comment, report.version, report.figures()) == ("チラシ500枚", 1, EXPECTED)
    # A visit marked done later, for that day, changes the live figures, not what was reported.
    make_activity(personas.prospect, starts_at=at(DAY, 15), status=ActivityStatus.DONE, done_at=at(DAY, 18))
    report.refresh_from_db()
    assert report.activities_done == 1
    live = day_figures(viewer=personas.owner, owner_ids=(personas.owner.pk,), day=DAY)[personas.owner.pk]
    assert live["activities_done"] == 2


def test_resubmitting_updates_comment_and_snapshot_and_keeps_each_version(personas):
    owner = personas.owner
    first = services.daily_report_submit(owner=owner, day=DAY, comment="一回目", expected_version=None)
    _done(personas.prospect, DAY)
    second = services.daily_report_submit(owner=owner, day=DAY, comment="二回目", expected_version=1)
    assert second.pk == first.pk and (second.comment, second.version, second.activities_done) == (
        "二回目",
        2,
        1,
    )
    history = list(DailyReport.pgh_event_model.objects.filter(pgh_obj_id=first.pk).order_by("pgh_id"))
    assert [e.comment for e in history] == ["一回目", "二回目"]


def test_a_stale_or_missing_version_is_a_conflict_that_loses_nothing(personas, client):
    owner = personas.owner
    services.daily_report_submit(owner=owner, day=DAY, comment="スマホから", expected_version=None)
    # A second window that opened the page before the first submission: no version.
    with pytest.raises(services.ReportConflict):
        services.daily_report_submit(owner=owner, day=DAY, comment="PCから", expected_version=None)
    services.daily_report_submit(owner=owner, day=DAY, comment="スマホ2", expected_version=1)
    client.force_login(owner)
    response = client.post(
        reverse("reports:daily"), {"day": DAY.isoformat(), "comment": "古い", "version": "1"}
    )
    assert response.status_code == 409
    assert str(services.CONFLICT_MESSAGE) in response.content.decode()
    assert "スマホ2" in response.content.decode()  # the comment that won, shown to the loser
    assert DailyReport.objects.get(owner=owner, day=DAY).comment == "スマホ2"


@pytest.mark.parametrize(
    "data,field",
    [
        ({"day": "2099-01-01", "comment": "x"}, "day"),
        ({"day": DAY.isoformat(), "comment": "a\x00b"}, "comment"),
        ({"day": DAY.isoformat(), "comment": "あ" * (MAX_COMMENT_LENGTH + 1)}, "comment"),
        ({"day": "2026-02-30", "comment": "x"}, "day"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(personas, client, data, field):
    client.force_login(personas.owner)
    response = client.post(reverse("reports:daily"), data)
    assert response.status_code == 422
    assert response.context["form"].errors[field]
    assert not DailyReport.objects.exists()


def test_a_future_day_in_the_address_is_a_form_error_and_shows_today(personas, client):
    """A GET whose filter falls back to its default answers 200 (salescrm.middleware), with the error."""
    client.force_login(personas.owner)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.get(reverse("reports:daily"), {"date": tomorrow.isoformat()})
    assert response.status_code == 200
    assert str(FUTURE_DAY_MESSAGE) in response.content.decode()
    assert response.context["day"] == timezone.localdate()


def test_the_team_view_names_who_has_not_submitted_among_the_active_reps(personas, client):
    left = make_user("left", is_active=False)
    personas.team.members.add(left)
    services.daily_report_submit(owner=personas.owner, day=DAY, comment="済", expected_version=None)
    services.daily_report_submit(owner=personas.outsider, day=DAY, comment="他課", expected_version=None)
    day = team_day(viewer=personas.manager, owner_ids=None, day=DAY)
    assert {r.rep.username for r in day.rows} == {"owner", "teammate"}  # not "left", nor the manager
    assert [u.username for u in day.missing] == ["teammate"]
    assert [r.report.comment for r in day.submitted] == ["済"]
    client.force_login(personas.manager)
    page = client.get(reverse("reports:team"), {"date": DAY.isoformat()})
    assert page.status_code == 200
    assert [u.username for u in page.context["team_day"].missing] == ["teammate"]
    # An admin's "everyone" lists every active rep: the other team's too.
    admin_day = team_day(viewer=personas.admin, owner_ids=None, day=DAY)
    assert {u.username for u in admin_day.missing} == {"teammate"}
    assert {r.rep.username for r in admin_day.submitted} == {"owner", "outsider"}


def test_a_rep_may_not_open_the_team_view_and_a_manager_not_another_team(personas, client):
    client.force_login(personas.owner)
    assert client.get(reverse("reports:team")).status_code == 403
    client.force_login(personas.manager)
    other = client.get(reverse("reports:team"), {"scope": f"team-{personas.other_team.pk}"})
    assert other.status_code == 404


def test_the_team_view_reads_a_constant_number_of_queries(personas, client):
    client.force_login(personas.manager)
    url = reverse("reports:team") + f"?date={DAY}"
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for i in range(4):
        rep = make_user(f"extra{i}")
        personas.team.members.add(rep)
        services.daily_report_submit(owner=rep, day=DAY, comment="x", expected_version=None)
        _done(make_prospect(rep), DAY)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_a_managers_comment_reaches_the_rep_and_home_tells_them_once(personas, client):
    report = services.daily_report_submit(
        owner=personas.owner, day=DAY, comment="報告", expected_version=None
    )
    client.force_login(personas.manager)
    response = client.post(reverse("reports:detail", args=[report.pk]), {"body": "いいペースです"})
    assert response.status_code == 302
    assert DailyReportComment.objects.get().author == personas.manager
    assert unread_comment_reports(personas.manager) == []
    client.force_login(personas.owner)
    home = client.get(reverse("home")).content.decode()
    assert reverse("reports:detail", args=[report.pk]) in home
    page = client.get(reverse("reports:daily"), {"date": DAY.isoformat()})
    assert "いいペースです" in page.content.decode()
    assert unread_comment_reports(personas.owner) == []
    assert reverse("reports:detail", args=[report.pk]) not in client.get(reverse("home")).content.decode()


def test_the_reps_own_reply_is_not_news_to_them(personas):
    report = services.daily_report_submit(
        owner=personas.owner, day=DAY, comment="報告", expected_version=None
    )
    services.daily_report_comment_add(report=report, author=personas.owner, body="補足です")
    assert unread_comment_reports(personas.owner) == []


def test_a_blank_or_nul_comment_is_a_form_error(personas, client):
    report = services.daily_report_submit(owner=personas.owner, day=DAY, comment="", expected_version=None)
    client.force_login(personas.manager)
    for body in ("   ", "a\x00"):
        response = client.post(reverse("reports:detail", args=[report.pk]), {"body": body})
        assert response.status_code == 422 and response.context["form"].errors["body"]
    assert not DailyReportComment.objects.exists()


@pytest.mark.parametrize("role", ["teammate", "outsider", "other_manager"])
def test_outsiders_get_404_for_a_report_and_its_comments(personas, client, role):
    report = services.daily_report_submit(
        owner=personas.owner, day=DAY, comment="秘密", expected_version=None
    )
    client.force_login(getattr(personas, role))
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:detail", args=[report.pk]), {"body": "x"}).status_code == 404
    assert not DailyReportComment.objects.exists()


@pytest.mark.parametrize("role", ["owner", "manager", "admin"])
def test_the_owner_their_manager_and_an_admin_read_the_report(personas, client, role):
    report = services.daily_report_submit(
        owner=personas.owner, day=DAY, comment="見える", expected_version=None
    )
    client.force_login(getattr(personas, role))
    response = client.get(reverse("reports:detail", args=[report.pk]))
    assert response.status_code == 200 and "見える" in response.content.decode()


def test_the_django_admin_lists_reports_and_comments(client, personas):
    client.force_login(personas.admin)
    report = services.daily_report_submit(
        owner=personas.owner, day=DAY, comment="管理", expected_version=None
    )
    services.daily_report_comment_add(report=report, author=personas.manager, body="確認")
    for name in ("reports_dailyreport_changelist", "reports_dailyreportcomment_changelist"):
        assert client.get(reverse(f"admin:{name}")).status_code == 200
    assert client.get(reverse("admin:reports_dailyreport_change", args=[report.pk])).status_code == 200


def test_the_demo_company_has_weeks_of_daily_reports_true_to_what_was_logged():
    from django.core.management import call_command

    call_command("seed_demo")
    reports = list(DailyReport.objects.select_related("owner"))
    assert len({r.owner_id for r in reports}) == 8 and len({r.day for r in reports}) >= 10
    assert all(r.day < timezone.localdate() and r.day.weekday() < 5 for r in reports)
    for report in reports[:: max(1, len(reports) // 10)]:  # a sample: the snapshot is the day's count
        live = day_figures(viewer=report.owner, owner_ids=(report.owner_id,), day=report.day)[report.owner_id]
        assert report.figures() == live
    assert DailyReportComment.objects.exists()
    assert unread_comment_reports(DailyReport.objects.filter(owner__username="tanaka").first().owner)


def test_the_reps_page_reads_a_constant_number_of_queries(personas, client):
    client.force_login(personas.owner)
    url = reverse("reports:daily") + f"?date={DAY}"
    _owners_day(personas)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _owners_day(personas)  # every section twice as long
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["rep_day"].figures["prospects_created"] == 4
    assert len(large) == len(small)
