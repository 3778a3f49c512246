"""A resolved alert shows what refilled it: the prospects gained since it opened by source, the lead
activities done since, and the ones its new prospects came from (its plan's record), in Japanese and
English, to the people who heard about the alert only. Hand-made data with known numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import LeadActivity, LeadKind
from prospects.models import Prospect, Source
from targets.models import PipelineAlert, Scope
from targets.services import pipeline_check_run
from tests.conftest import make_prospect
from tests.targets.conftest import set_target

pytestmark = pytest.mark.django_db


def _lead(owner, kind: str, leads: int, **counts) -> LeadActivity:
    activity = LeadActivity.objects.create(owner=owner, kind=kind, on=timezone.localdate(), **counts)
    for i in range(leads):
        make_prospect(owner, name=f"{kind}-{activity.pk}-{i}", source=kind, lead_activity=activity)
    return activity


@pytest.fixture
def resolved(personas):
    """The owner's alert (5 open wanted, 1 open: 4 short) refilled by 3 prospects from a flyer drop,
    1 from one of two door-to-door sessions and 1 referral without a lead activity. The teammate's
    flyer drop and prospect are another scope's."""
    start = timezone.now() - dt.timedelta(hours=2)
    Prospect.objects.filter(pk=personas.prospect.pk).update(created_at=start - dt.timedelta(days=30))
    set_target(user=personas.owner, min_open=5)
    pipeline_check_run(now=start)
    alert = PipelineAlert.objects.get(user=personas.owner, resolved_at__isnull=True)
    assert alert.deficit == 4
    drop = _lead(personas.owner, LeadKind.FLYER, 3, flyers=500, area="駅前", name="春のチラシ")
    session = _lead(personas.owner, LeadKind.DOOR_TO_DOOR, 1, doors_knocked=40, conversations=6)
    _lead(personas.owner, LeadKind.DOOR_TO_DOOR, 0, doors_knocked=30, conversations=2)
    make_prospect(personas.owner, name="紹介の見込み", source=Source.REFERRAL)
    _lead(personas.teammate, LeadKind.FLYER, 2, flyers=300)
    pipeline_check_run(now=start + dt.timedelta(hours=1))
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    return alert, drop, session


def test_the_resolved_alerts_plan_records_the_known_numbers(resolved):
    alert, drop, session = resolved
    assert alert.plan["refilled"] == {
        "prospects": 5,
        "sources": {"flyer": 3, "door_to_door": 1, "referral": 1},
        "lead_activities": [[drop.pk, "flyer", 3], [session.pk, "door_to_door", 1]],
        "done": {"flyer": 1, "door_to_door": 2},
    }


def _section(body: str, alert) -> str:
    start = body.index(f'id="alert-{alert.pk}"')
    return body[start : body.index("</article>", start)]


def test_the_alerts_page_shows_what_refilled_it_in_japanese(resolved, client, personas):
    alert, drop, session = resolved
    client.force_login(personas.owner)
    body = client.get(reverse("targets:alerts"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "過去30日間に解消したアラート" in body
    shown = _section(body, alert)
    assert "補充の内訳" in shown
    assert "発生以降の新規見込み客 5件" in shown
    assert "チラシ: 3件" in shown and "飛び込み: 1件" in shown and "紹介: 1件" in shown
    assert "チラシ配布 × 1" in shown and "飛び込み訪問 × 2" in shown  # noqa: RUF001
    assert reverse("activities:lead_detail", args=[drop.pk]) in shown and "春のチラシ (駅前)" in shown
    assert reverse("activities:lead_detail", args=[session.pk]) in shown


def test_the_alerts_page_shows_what_refilled_it_in_english(resolved, client, personas):
    alert, _drop, _session = resolved
    client.force_login(personas.owner)
    body = client.get(reverse("targets:alerts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = _section(body, alert)
    assert "What refilled it" in shown and "5 new prospects since it opened" in shown
    assert "Flyer: 3 prospects" in shown and "Referral: 1 prospect" in shown
    assert "Flyer drop × 1" in shown and "Door-to-door session × 2" in shown  # noqa: RUF001
    assert "Lead activities done since it opened" in shown


def test_only_those_who_heard_about_the_alert_see_it_resolved(resolved, client, personas):
    alert, _drop, _session = resolved
    client.force_login(personas.manager)  # the owner's manager hears about the owner's alerts
    assert f'id="alert-{alert.pk}"' in client.get(reverse("targets:alerts")).content.decode()
    client.force_login(personas.outsider)
    assert f'id="alert-{alert.pk}"' not in client.get(reverse("targets:alerts")).content.decode()


def test_an_alert_resolved_before_the_record_existed_says_so(personas, client):
    now = timezone.now()
    PipelineAlert.objects.create(
        scope=Scope.USER,
        user=personas.owner,
        rule="open",
        current=1,
        target=3,
        deficit=2,
        opened_at=now - dt.timedelta(days=3),
        resolved_at=now - dt.timedelta(days=1),
        checked_at=now,
        plan={"basis": "company", "history": 0, "table": {}},
    )
    client.force_login(personas.owner)
    body = client.get(reverse("targets:alerts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not recorded: it resolved before the plan kept what refilled the pipeline." in body


def test_an_alert_resolved_more_than_30_days_ago_is_not_listed(personas, client):
    now = timezone.now()
    old = PipelineAlert.objects.create(
        scope=Scope.USER,
        user=personas.owner,
        rule="open",
        current=1,
        target=3,
        deficit=2,
        opened_at=now - dt.timedelta(days=40),
        resolved_at=now - dt.timedelta(days=31),
        checked_at=now,
        plan={"refilled": {"prospects": 2, "sources": {"flyer": 2}, "lead_activities": [], "done": {}}},
    )
    client.force_login(personas.owner)
    assert f'id="alert-{old.pk}"' not in client.get(reverse("targets:alerts")).content.decode()
