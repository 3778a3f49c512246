"""An imported "next action" column (次回アクション / 次回アクション日) plans the prospect's next activity, and
the prospect form's "plan the next activity" (kind, date, note) is its planned activity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import Activity, ActivityStatus
from imports.models import JobStatus
from prospects.models import Prospect
from tests.activities.conftest import kind
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db


def test_an_imported_next_action_is_a_planned_activity_on_its_day(personas):
    kind("other")
    job = run_import(
        personas.owner,
        [
            ["会社名", "次回アクション", "次回アクション日"],
            ["鈴木建設", "見積を持参", "2027/01/15"],
            ["佐藤商事", "", ""],
        ],
    )
    assert job.status == JobStatus.DONE, job.message
    planned = Activity.objects.get(status=ActivityStatus.PLANNED)
    assert planned.prospect == Prospect.objects.get(name="鈴木建設")
    assert (planned.subject, planned.all_day, planned.owner_id) == ("見積を持参", True, personas.owner.pk)
    assert timezone.localdate(planned.starts_at) == dt.date(2027, 1, 15)
    assert not Activity.objects.filter(prospect__name="佐藤商事").exists()


def test_an_import_with_an_error_row_plans_nothing(personas):
    kind("other")
    job = run_import(
        personas.owner,
        [["会社名", "次回アクション", "次回アクション日"], ["鈴木建設", "見積を持参", "2027/13/45"]],
    )
    assert job.status != JobStatus.DONE
    assert not Activity.objects.exists()


def test_the_prospect_forms_plan_creates_updates_and_clears_its_planned_activity(personas, login):
    from django.urls import reverse

    other, call = kind("other"), kind("call")
    client = login(personas.owner)
    p = personas.prospect
    url = reverse("prospects:edit", args=[p.pk])
    base = {
        "name": p.name,
        "source": p.source,
        "horizon": p.horizon,
        "probability": p.probability,
        "amount": "1000000",
    }
    day = timezone.localdate() + dt.timedelta(days=5)
    plan = {"next_kind": other.pk, "next_on": day.isoformat(), "next_subject": "電話する"}
    assert client.post(url, {**base, **plan, "version": 1}).status_code == 302
    planned = Activity.objects.get(prospect=p, status=ActivityStatus.PLANNED)
    assert (planned.subject, planned.kind, planned.all_day) == ("電話する", other, True)
    assert timezone.localdate(planned.starts_at) == day and planned.owner == personas.owner
    # The edit form shows it; changing kind, date and note updates that one activity.
    page = client.get(url).content.decode()
    assert f'name="next_activity" value="{planned.pk}"' in page and 'value="電話する"' in page
    later = day + dt.timedelta(days=2)
    shown = {"next_activity": planned.pk, "next_version": planned.version}
    plan = {"next_kind": call.pk, "next_on": later.isoformat(), "next_subject": "訪問する"}
    assert client.post(url, {**base, **plan, **shown, "version": 2}).status_code == 302
    planned.refresh_from_db()
    assert (planned.subject, planned.kind, timezone.localdate(planned.starts_at)) == ("訪問する", call, later)
    assert Activity.objects.filter(prospect=p).count() == 1
    # Kind and date cleared: nothing planned any more.
    shown = {"next_activity": planned.pk, "next_version": planned.version}
    cleared = {"next_kind": "", "next_on": "", "next_subject": ""}
    assert client.post(url, {**base, **cleared, **shown, "version": 3}).status_code == 302
    assert not Activity.objects.filter(prospect=p).exists()


def test_a_plan_without_a_kind_or_a_date_is_a_form_error_and_saves_nothing(personas, login):
    from django.urls import reverse

    other = kind("other")
    client = login(personas.owner)
    p = personas.prospect
    base = {"name": "新しい名前", "source": p.source, "probability": 10, "amount": "0", "version": 1}
    response = client.post(reverse("prospects:edit", args=[p.pk]), {**base, "next_subject": "電話する"})
    assert response.status_code == 422
    response = client.post(reverse("prospects:edit", args=[p.pk]), {**base, "next_kind": other.pk})
    assert response.status_code == 422
    p.refresh_from_db()
    assert p.name != "新しい名前" and not Activity.objects.exists()


def test_a_stale_plan_is_a_conflict_and_saves_neither_the_prospect_nor_the_plan(personas, login):
    """The same optimistic lock as the prospect's: the planned activity moved on since the form was
    shown (someone edited it, marked it done or deleted it): 409, the prospect's edit rolled back."""
    from django.urls import reverse

    from activities.services import activity_update

    other = kind("other")
    client = login(personas.owner)
    p = _planned_prospect(personas.owner)
    planned = Activity.objects.get(prospect=p)
    url = reverse("prospects:edit", args=[p.pk])
    shown = {"next_activity": planned.pk, "next_version": planned.version}
    activity_update(
        activity=planned, by=personas.teammate, expected_version=planned.version, subject="先に変更"
    )
    day = timezone.localdate() + dt.timedelta(days=3)
    data = {
        "name": "変更後",
        "source": p.source,
        "probability": 10,
        "amount": "0",
        "version": p.version,
        "next_kind": other.pk,
        "next_on": day.isoformat(),
        "next_subject": "私の変更",
        **shown,
    }
    response = client.post(url, data)
    assert response.status_code == 409
    p.refresh_from_db()
    planned.refresh_from_db()
    assert p.name != "変更後" and planned.subject == "先に変更"
    # The form now holds the current version: saving again is a conscious overwrite.
    assert f'name="next_version" value="{planned.version}"' in response.content.decode()
    data.update(next_version=planned.version)
    assert client.post(url, data).status_code == 302
    planned.refresh_from_db()
    assert planned.subject == "私の変更"


def _planned_prospect(owner):
    from tests.conftest import make_prospect

    return make_prospect(owner, next_activity="電話", next_activity_on=timezone.localdate())


def test_an_imported_closed_deals_next_action_is_kept_cancelled(personas):
    """A won or lost row has no planned step (closing cancels them): its next action is kept as a
    cancelled activity, which a reopening plans again; importing the file again adds nothing."""
    kind("other")
    rows = [
        ["見込み客名", "ステータス", "受注日", "見込金額", "次回アクション", "次回アクション日"],
        ["鈴木建設", "受注", "2026/11/02", "1000000", "お礼の電話", "2026/11/05"],
    ]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.message
    activity = Activity.objects.get(prospect__name="鈴木建設")
    assert (activity.status, activity.subject) == ("cancelled", "お礼の電話")
    assert timezone.localdate(activity.starts_at) == dt.date(2026, 11, 5)
    job = run_import(personas.owner, rows, update_duplicates=True)
    assert job.status == JobStatus.DONE, job.message
    assert Activity.objects.count() == 1


def test_a_closed_deal_cannot_be_given_a_next_activity_through_the_form(personas, login):
    from django.urls import reverse

    other = kind("other")
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(
        status="lost", closed_on=timezone.localdate(), lost_reason="price"
    )
    data = {
        "name": p.name,
        "source": p.source,
        "probability": 10,
        "amount": "0",
        "version": p.version,
        "next_kind": other.pk,
        "next_on": timezone.localdate().isoformat(),
    }
    response = login(personas.owner).post(reverse("prospects:edit", args=[p.pk]), data)
    assert response.status_code == 422
    assert not Activity.objects.exists()
