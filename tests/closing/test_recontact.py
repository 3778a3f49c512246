"""On a lost prospect's re-contact date the owner gets a new long-term prospect, exactly once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from closing import services
from closing.models import Recontact
from prospects.models import Horizon, Prospect, Source, Status
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def lost_prospect(owner, recontact_on, **kw):
    return make_prospect(
        owner,
        name="佐藤商店",
        contact_person="佐藤様",
        phone="03-1234-5678",
        email="sato@example.jp",
        address="東京都千代田区1-1",
        source=Source.REFERRAL,
        status=Status.LOST,
        closed_on=recontact_on - dt.timedelta(days=100),
        lost_reason="postponed",
        recontact_on=recontact_on,
        amount=Decimal(3000000),
        **kw,
    )


def test_a_follow_up_is_created_on_the_recontact_date_with_the_customer_copied(
    personas, django_capture_on_commit_callbacks
):
    personas.owner.email = "owner@example.jp"
    personas.owner.save()
    today = timezone.localdate()
    lost = lost_prospect(personas.owner, today)
    with django_capture_on_commit_callbacks(execute=True):
        (followup,) = services.recontact_create_followups(today=today)
    assert followup.origin == lost and followup.owner == personas.owner
    assert followup.status == Status.OPEN and followup.horizon == Horizon.LONG
    for name in ("name", "contact_person", "phone", "email", "address"):
        assert getattr(followup, name) == getattr(lost, name)
    # Not the lost deal's source: a revival (掘り起こし), so it is no new lead of that source (#18).
    assert followup.source == Source.REVIVAL != lost.source
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["owner@example.jp"]
    assert "佐藤商店" in mail.outbox[0].subject
    assert reverse("prospects:detail", args=[followup.pk]) in mail.outbox[0].body


def test_running_again_creates_no_duplicate(personas):
    today = timezone.localdate()
    lost_prospect(personas.owner, today)
    assert len(services.recontact_create_followups(today=today)) == 1
    assert services.recontact_create_followups(today=today) == []
    assert services.recontact_create_followups(today=today + dt.timedelta(days=1)) == []
    assert Prospect.objects.filter(origin__isnull=False).count() == 1


def test_a_claim_already_taken_by_another_run_is_skipped(personas):
    # A retried task that lost the race: the unique claim row exists, so nothing is created.
    today = timezone.localdate()
    lost = lost_prospect(personas.owner, today)
    Recontact.objects.create(lost_prospect=lost, recontact_on=today)
    assert services.recontact_create_followups(today=today) == []
    assert not Prospect.objects.filter(origin=lost).exists()


def test_the_unique_claim_is_enforced_by_the_database(personas):
    from django.db import IntegrityError, transaction

    today = timezone.localdate()
    lost = lost_prospect(personas.owner, today)
    Recontact.objects.create(lost_prospect=lost, recontact_on=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        Recontact.objects.create(lost_prospect=lost, recontact_on=today)


def test_future_dates_and_reopened_prospects_are_left_alone(personas):
    today = timezone.localdate()
    lost_prospect(personas.owner, today + dt.timedelta(days=1))
    reopened = lost_prospect(personas.owner, today)
    services.outcome_reopen(
        prospect=Prospect.objects.select_related("owner").get(pk=reopened.pk),
        by=personas.admin,
        reason="再検討",
    )
    assert services.recontact_create_followups(today=today) == []


def test_a_missed_day_is_caught_up(personas):
    today = timezone.localdate()
    lost_prospect(personas.owner, today - dt.timedelta(days=3))
    assert len(services.recontact_create_followups(today=today)) == 1


def test_the_follow_up_shows_where_it_came_from(personas, client):
    today = timezone.localdate()
    lost = lost_prospect(personas.owner, today)
    (followup,) = services.recontact_create_followups(today=today)
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[followup.pk])).content.decode()
    assert reverse("prospects:detail", args=[lost.pk]) in body


def test_the_job_is_in_the_beat_schedule_at_seven_tokyo_time():
    entry = settings.CELERY_BEAT_SCHEDULE["closing-recontact-followups"]
    assert entry["task"] == "closing.create_recontact_followups"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Tokyo"


def test_the_owner_sees_the_follow_up_on_their_home_page_today(personas, client):
    today = timezone.localdate()
    lost_prospect(personas.owner, today)
    (followup,) = services.recontact_create_followups(today=today)
    from activities.selectors import next_planned

    planned = next_planned(followup)
    assert timezone.localdate(planned.starts_at) == today and planned.subject.startswith("再アプローチ")
    client.force_login(personas.owner)
    body = client.get(reverse("home")).content.decode()
    assert reverse("prospects:detail", args=[followup.pk]) in body
