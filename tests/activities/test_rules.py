"""The rules of an activity: in the database, in the forms (a clear message, nothing saved) and in the
services; who may see which activity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from activities.models import Activity, ActivityStatus
from activities.services import FUTURE_DONE_MESSAGE, activity_create
from tests.activities.conftest import at, kind, make_activity
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db

WARNING = "Nothing planned for this open prospect. Plan the next activity."


def ja(message: str) -> str:
    """A message as the (Japanese) pages show it."""
    with translation.override("ja"):
        return gettext(message)


def test_the_database_refuses_a_negative_duration(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_activity(personas.prospect, starts_at=timezone.now(), duration_minutes=-1)


def test_the_database_refuses_a_done_activity_without_its_done_time(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_activity(personas.prospect, starts_at=timezone.now(), status="done", done_at=None)


def test_the_database_refuses_a_done_activity_dated_days_after_it_was_marked_done(personas):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_activity(personas.prospect, starts_at=now + dt.timedelta(days=3), status="done", done_at=now)


def test_the_database_refuses_a_planned_activity_with_a_done_time(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_activity(personas.prospect, starts_at=timezone.now(), done_at=timezone.now())


def _post(client, prospect, **data):
    base = {"status": "planned", "kind": kind().pk, "on": timezone.localdate().isoformat()}
    return client.post(reverse("activities:create", args=[prospect.pk]), {**base, **data})


def test_a_negative_duration_is_a_form_error_and_saves_nothing(personas, login):
    response = _post(login(personas.owner), personas.prospect, duration_minutes="-5")
    assert response.status_code == 422
    assert ja("The duration cannot be negative.") in response.content.decode()
    assert not Activity.objects.exists()


def test_an_end_before_the_start_is_a_form_error_and_saves_nothing(personas, login):
    response = _post(login(personas.owner), personas.prospect, at="15:00", ends_at="14:00")
    assert response.status_code == 422
    assert ja("The end time is before the start time.") in response.content.decode()
    assert not Activity.objects.exists()


def test_an_end_time_gives_the_duration(personas, login):
    response = _post(login(personas.owner), personas.prospect, at="13:30", ends_at="15:00")
    assert response.status_code == 302
    assert Activity.objects.get().duration_minutes == 90


def test_a_done_activity_dated_in_the_future_is_a_form_error_and_saves_nothing(personas, login):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _post(login(personas.owner), personas.prospect, status="done", on=tomorrow.isoformat())
    assert response.status_code == 422
    assert ja(str(FUTURE_DONE_MESSAGE)) in response.content.decode()
    assert not Activity.objects.exists()


def test_a_done_activity_of_today_without_a_time_is_accepted(personas, login):
    response = _post(login(personas.owner), personas.prospect, status="done", outcome="会えた")
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.status, activity.all_day, activity.outcome) == ("done", True, "会えた")
    assert activity.done_at is not None


def test_a_prospect_outside_the_reps_scope_is_404_and_saves_nothing(personas, login):
    other = make_prospect(personas.outsider)
    response = _post(login(personas.owner), other)
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_the_service_refuses_a_prospect_outside_the_scope(personas):
    other = make_prospect(personas.outsider)
    with pytest.raises(ValidationError):
        activity_create(by=personas.owner, prospect=other, kind=kind(), starts_at=timezone.now())
    assert not Activity.objects.exists()


def test_visible_to_is_the_prospects_rule_for_every_persona(personas):
    mine = make_activity(personas.prospect, starts_at=timezone.now())
    theirs = make_activity(make_prospect(personas.outsider), starts_at=timezone.now())
    expected = {
        "owner": {mine.pk},
        "teammate": set(),
        "outsider": {theirs.pk},
        "manager": {mine.pk},
        "other_manager": {theirs.pk},
        "admin": {mine.pk, theirs.pk},
    }
    for role, user in personas.all().items():
        assert set(Activity.objects.visible_to(user).values_list("pk", flat=True)) == expected[role], role


def test_marking_done_plans_the_next_one_in_the_same_step(personas, login):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    planned = make_activity(personas.prospect, starts_at=at(yesterday, 9))
    client = login(personas.owner)
    response = client.post(
        reverse("activities:complete", args=[planned.pk]),
        {
            "on": yesterday.isoformat(),
            "at": "09:00",
            "outcome": "見積を依頼された",
            "next_kind": kind("quote_sent").pk,
            "next_on": (today + dt.timedelta(days=3)).isoformat(),
            "next_subject": "見積提出",
            "version": planned.version,
        },
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.outcome) == (ActivityStatus.DONE, "見積を依頼された")
    following = Activity.objects.get(status=ActivityStatus.PLANNED)
    assert (following.kind.code, following.subject, following.all_day) == ("quote_sent", "見積提出", True)
    assert timezone.localdate(following.starts_at) == today + dt.timedelta(days=3)


def test_marking_done_without_a_next_step_or_saying_so_saves_nothing(personas, login):
    planned = make_activity(personas.prospect, starts_at=timezone.now() - dt.timedelta(hours=1))
    response = login(personas.owner).post(
        reverse("activities:complete", args=[planned.pk]),
        {"on": timezone.localdate().isoformat(), "version": planned.version},
    )
    assert response.status_code == 422
    assert ja("No next step for now") in response.content.decode()
    planned.refresh_from_db()
    assert planned.status == ActivityStatus.PLANNED


def test_marking_done_with_a_stale_version_is_a_conflict(personas, login):
    planned = make_activity(personas.prospect, starts_at=timezone.now() - dt.timedelta(hours=1))
    Activity.objects.filter(pk=planned.pk).update(version=5)
    response = login(personas.owner).post(
        reverse("activities:complete", args=[planned.pk]),
        {"on": timezone.localdate().isoformat(), "no_next": "on", "version": 1},
    )
    assert response.status_code == 409
    assert Activity.objects.get(pk=planned.pk).status == ActivityStatus.PLANNED


def test_the_detail_page_warns_when_an_open_prospect_has_nothing_planned(personas, login):
    client = login(personas.owner)
    url = reverse("prospects:detail", args=[personas.prospect.pk])
    assert ja(WARNING) in client.get(url).content.decode()
    make_activity(personas.prospect, starts_at=timezone.now() + dt.timedelta(days=1), subject="再訪問")
    page = client.get(url).content.decode()
    assert ja(WARNING) not in page and "再訪問" in page
