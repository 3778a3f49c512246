"""The demo company looks lived in: its history spans months and its cards were last touched on many
different days, not all "0 days ago"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F, Max, Min
from django.utils import timezone

from closing.models import TestClosing
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo")


def test_the_demo_cards_were_last_updated_on_many_different_days(seeded):
    now = timezone.now()
    ages = {(now - at).days for at in Prospect.objects.open().values_list("updated_at", flat=True)}
    assert len(ages) > 30 and max(ages) > 90
    assert not Prospect.objects.filter(updated_at__lt=F("created_at")).exists()


def test_the_demo_history_spans_months_and_starts_when_each_prospect_was_added(seeded):
    events = Prospect.pgh_event_models["insert"].objects
    span = events.aggregate(first=Min("pgh_created_at"), last=Max("pgh_created_at"))
    assert span["last"] - span["first"] > dt.timedelta(days=90)
    sample = Prospect.objects.order_by("pk")[:20]
    for p in sample:
        inserted = events.get(pgh_obj=p, pgh_label="insert")
        assert inserted.pgh_created_at == p.created_at
        history = list(events.filter(pgh_obj=p).order_by("pgh_id").values_list("pgh_created_at", flat=True))
        assert history == sorted(history) and history[-1] <= timezone.now()


def test_a_won_demo_deal_went_through_stages_before_it_was_won_on_its_close_date(seeded):
    won = Prospect.objects.filter(status="won").order_by("pk").first()
    events = list(Prospect.pgh_event_models["insert"].objects.filter(pgh_obj=won).order_by("pgh_id"))
    assert events[0].status == "open" and events[-1].status == "won"
    assert len(events) >= 3
    assert timezone.localtime(events[-1].pgh_created_at).date() == won.closed_on


def test_demo_test_closings_are_recorded_when_they_were_asked(seeded):
    events = TestClosing.pgh_event_models["insert"].objects.select_related("pgh_obj")[:20]
    assert events and all(e.pgh_created_at == e.pgh_obj.asked_at for e in events)
