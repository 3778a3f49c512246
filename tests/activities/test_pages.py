"""The agenda, the timeline, the calendar feed and the next-actions migration, with hand-made data."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from activities.models import Activity, ActivityStatus
from activities.selectors import agenda_for, prospect_timeline_page
from activities.services import feed_token_reset
from closing.models import TestClosing
from prospects.models import Prospect
from tests.activities.conftest import at, kind, make_activity
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_the_agenda_sorts_overdue_today_and_this_week(personas):
    today = dt.date(2026, 12, 2)  # a Wednesday: the week runs to Sunday the 6th
    p = personas.prospect
    overdue = make_activity(p, starts_at=at(today - dt.timedelta(days=3)))
    today_item = make_activity(p, starts_at=at(today, 15))
    week_item = make_activity(p, starts_at=at(dt.date(2026, 12, 6), 9))
    make_activity(p, starts_at=at(dt.date(2026, 12, 7), 9))  # next week
    make_activity(
        p, starts_at=at(today - dt.timedelta(days=1)), status=ActivityStatus.DONE
    )  # done: not listed
    agenda = agenda_for(viewer=personas.owner, owner_ids=(personas.owner.pk,), today=today)
    assert [a.pk for a in agenda.overdue] == [overdue.pk]
    assert [a.pk for a in agenda.today_items] == [today_item.pk]
    assert [a.pk for a in agenda.week] == [week_item.pk]


def test_a_managers_team_agenda_shows_the_teams_reps_and_not_another_team(personas, login):
    today = timezone.localdate()
    mine = make_activity(personas.prospect, starts_at=at(today, 23, 59), subject="担当者の予定")
    make_activity(make_prospect(personas.teammate), starts_at=at(today, 23, 59), subject="同僚の予定")
    make_activity(make_prospect(personas.outsider), starts_at=at(today, 23, 59), subject="他チームの予定")
    page = login(personas.manager).get(reverse("activities:agenda")).content.decode()
    assert "担当者の予定" in page and "同僚の予定" in page and "他チームの予定" not in page
    rep_page = login(personas.teammate).get(reverse("activities:agenda")).content.decode()
    assert "同僚の予定" in rep_page and "担当者の予定" not in rep_page
    own = login(personas.manager).get(reverse("activities:agenda"), {"scope": f"user-{personas.owner.pk}"})
    assert "担当者の予定" in own.content.decode() and "同僚の予定" not in own.content.decode()
    assert mine.pk


@pytest.mark.parametrize(
    "language,day,timed",
    [("ja", "2026/12/04", "2026/12/04 9:05"), ("en", "12/04/2026", "12/04/2026 9:05 a.m.")],
)
def test_an_agenda_item_shows_its_kind_date_prospect_owner_and_done_link(
    personas, login, language, day, timed
):
    """The items are a Jinja2 partial (activities/_agenda_items.html): the dates read as Django's
    |date:"SHORT_DATE(TIME)_FORMAT" in Tokyo time, the text is escaped, the done link is the item's."""
    from django.utils import translation

    when = dt.date(2026, 12, 4)
    timed_item = make_activity(personas.prospect, starts_at=at(when, 9, 5), subject="<b>見積</b>")
    all_day = make_activity(personas.prospect, starts_at=at(when, 0), all_day=True, code="visit")
    client = login(personas.manager)
    client.cookies["django_language"] = language
    with mock.patch("django.utils.timezone.localdate", return_value=when):
        page = client.get(reverse("activities:agenda")).content.decode()
    with translation.override(language):
        done, kinds = translation.gettext("Mark as done"), (timed_item.kind.label, all_day.kind.label)
    assert (
        f'<strong>{kinds[0]}</strong> <span class="when">{timed}</span> — &lt;b&gt;見積&lt;/b&gt; · ' in page
    )
    assert f'<strong>{kinds[1]}</strong> <span class="when">{day}</span> · ' in page
    detail = reverse("prospects:detail", args=[personas.prospect.pk])
    # A team's agenda names each item's owner.
    assert f'<a href="{detail}">{personas.prospect.name}</a> · {personas.owner.display_name}' in page
    for item in (timed_item, all_day):
        url = reverse("activities:complete", args=[item.pk])
        assert (
            f'<a class="button small" href="{url}" hx-get="{url}" hx-target="#dialog-slot">{done}</a>' in page
        )


def test_a_rep_asking_for_another_reps_agenda_gets_404(personas, login):
    response = login(personas.owner).get(
        reverse("activities:agenda"), {"scope": f"user-{personas.outsider.pk}"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["activities:agenda", "pipeline:forecast"])
def test_a_rep_with_nothing_to_choose_gets_no_empty_filter_bar(personas, login, url):
    """A rep has one scope: the filter bar would be an empty box on a phone, so it is left out."""
    rep_page = login(personas.owner).get(reverse(url)).content.decode()
    assert 'class="filters"' not in rep_page
    manager_page = login(personas.manager).get(reverse(url)).content.decode()
    assert 'class="filters"' in manager_page and 'name="scope"' in manager_page


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_agenda_reads_a_constant_number_of_queries(personas, login):
    client = login(personas.manager)
    url = reverse("activities:agenda")
    today = timezone.localdate()
    make_activity(personas.prospect, starts_at=at(today - dt.timedelta(days=1)))
    small = _queries(client, url)
    for i in range(15):
        prospect = make_prospect(personas.teammate if i % 2 else personas.owner)
        make_activity(prospect, starts_at=at(today - dt.timedelta(days=i + 1)))
        make_activity(prospect, starts_at=at(today, 23, 50))
    assert _queries(client, url) == small


def test_the_timeline_merges_activities_test_closings_and_changes_newest_first(personas):
    p = personas.prospect
    base = timezone.now() - dt.timedelta(days=10)
    call = make_activity(p, starts_at=base + dt.timedelta(days=1), status="done", outcome="電話した")
    tc = TestClosing.objects.create(
        prospect=p,
        question_text="来月で?",
        answer="はい",
        reading="positive",
        asked_by=personas.owner,
        asked_at=base + dt.timedelta(days=2),
    )
    visit = make_activity(p, starts_at=base + dt.timedelta(days=3), status="done")
    page = prospect_timeline_page(Prospect.objects.get(pk=p.pk), 1)
    kinds = [(e.kind, e.item.pk if e.kind != "change" else None) for e in page.items]
    # newest first: the prospect's creation (now) is a change, then the visit, the test closing, the call
    assert kinds[0][0] == "change"
    assert kinds[1:] == [("activity", visit.pk), ("test_closing", tc.pk), ("activity", call.pk)]
    assert not page.has_older


def test_the_timeline_pages_and_its_older_button_reads_the_next_page(personas, login):
    p = personas.prospect
    base = timezone.now() - dt.timedelta(days=100)
    made = [
        make_activity(p, starts_at=base + dt.timedelta(days=i), status="done", subject=f"件{i:02d}")
        for i in range(25)
    ]
    first = prospect_timeline_page(p, 1, size=10)
    assert first.has_older and len(first.items) == 10
    second = prospect_timeline_page(p, 2, size=10)
    third = prospect_timeline_page(p, 3, size=10)
    seen = [e.item.pk for page in (first, second, third) for e in page.items if e.kind == "activity"]
    assert seen == [a.pk for a in reversed(made)]
    assert not third.has_older
    client = login(personas.owner)
    url = reverse("activities:timeline", args=[p.pk])
    fragment = client.get(url, {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    # page 1 (10 a page): the creation and 件24..件16; page 2: 件15..件06
    assert "<html" not in fragment and "件15" in fragment and "件16" not in fragment
    assert "<html" in client.get(url, {"page": 2}).content.decode()


def test_the_timeline_reads_a_constant_number_of_queries(personas, login):
    client = login(personas.owner)
    url = reverse("activities:timeline", args=[personas.prospect.pk])
    small = _queries(client, url)
    for i in range(30):
        make_activity(personas.prospect, starts_at=timezone.now() - dt.timedelta(hours=i), status="done")
    assert _queries(client, url) == small


def test_the_calendar_feed_holds_only_the_users_own_planned_activities(personas, client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    own = make_activity(
        personas.prospect, starts_at=at(tomorrow, 10), duration_minutes=60, subject="見積説明"
    )
    make_activity(personas.prospect, starts_at=timezone.now() - dt.timedelta(hours=1), status="done")
    make_activity(make_prospect(personas.teammate), starts_at=at(tomorrow, 11))
    all_day = make_activity(personas.prospect, starts_at=at(tomorrow, 0), all_day=True, code="visit")
    token = feed_token_reset(user=personas.owner)
    response = client.get(reverse("activities:feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    by_uid = {str(e["uid"]): e for e in events}
    assert set(by_uid) == {f"activity-{own.pk}@salescrm", f"activity-{all_day.pk}@salescrm"}
    timed = by_uid[f"activity-{own.pk}@salescrm"]
    assert "見積説明" in str(timed["summary"]) and personas.prospect.name in str(timed["summary"])
    assert timed["dtstart"].dt == at(tomorrow, 10)
    assert timed["dtend"].dt - timed["dtstart"].dt == dt.timedelta(hours=1)
    assert by_uid[f"activity-{all_day.pk}@salescrm"]["dtstart"].dt == tomorrow


def test_resetting_the_feed_stops_the_old_url_at_once(personas, client, login):
    old = feed_token_reset(user=personas.owner)
    assert client.get(reverse("activities:feed", args=[old])).status_code == 200
    response = login(personas.owner).post(reverse("activities:feed_reset"))
    assert response.status_code == 302
    assert client.get(reverse("activities:feed", args=[old])).status_code == 404
    assert client.get(reverse("activities:feed", args=["not-a-token"])).status_code == 404


def test_the_settings_page_shows_the_new_feed_url_once(personas, login):
    client = login(personas.owner)
    client.post(reverse("activities:feed_reset"))
    first = client.get(reverse("activities:settings")).content.decode()
    assert "/activities/feed/" in first
    assert "/activities/feed/" not in client.get(reverse("activities:settings")).content.decode()


def test_a_long_overdue_list_shows_the_oldest_and_says_more_exist(personas):
    from activities.selectors.agenda import AGENDA_LIMIT

    today = timezone.localdate()
    made = [
        make_activity(personas.prospect, starts_at=at(today - dt.timedelta(days=i + 1)))
        for i in range(AGENDA_LIMIT + 1)
    ]
    agenda = agenda_for(viewer=personas.owner, owner_ids=(personas.owner.pk,), today=today)
    assert agenda.overdue_more and len(agenda.overdue) == AGENDA_LIMIT
    assert agenda.overdue[0].pk == made[-1].pk  # the oldest first


def test_a_reassigned_prospects_plans_move_to_the_new_owners_agenda_and_feed(personas, client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    planned = make_activity(personas.prospect, starts_at=at(tomorrow, 9), subject="引き継ぎ訪問")
    Prospect.objects.filter(pk=personas.prospect.pk).update(owner=personas.teammate)
    teammate = agenda_for(viewer=personas.teammate, owner_ids=(personas.teammate.pk,), today=tomorrow)
    owner = agenda_for(viewer=personas.owner, owner_ids=(personas.owner.pk,), today=tomorrow)
    assert [a.pk for a in teammate.today_items] == [planned.pk] and owner.today_items == []
    token = feed_token_reset(user=personas.teammate)
    events = Calendar.from_ical(client.get(reverse("activities:feed", args=[token])).content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"activity-{planned.pk}@salescrm"]


def test_a_recontact_follow_up_gets_its_next_action_as_a_planned_activity_today(personas):
    from closing.services import recontact_create_followups

    kind("other")
    today = timezone.localdate()
    make_prospect(
        personas.owner,
        status="lost",
        closed_on=today - dt.timedelta(days=60),
        lost_reason="no_response",
        recontact_on=today,
    )
    (followup,) = recontact_create_followups(today=today)
    planned = Activity.objects.get(prospect=followup)
    assert planned.status == "planned" and planned.subject.startswith("再アプローチ")
    assert timezone.localdate(planned.starts_at) == today and planned.owner_id == personas.owner.pk
