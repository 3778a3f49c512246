"""An imported "next action" column (次回アクション / 次回アクション日) plans the prospect's next activity."""

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


def test_the_prospect_forms_next_action_edits_its_planned_activity(personas, login):
    from django.urls import reverse

    kind("other")
    client = login(personas.owner)
    p = personas.prospect
    base = {
        "name": p.name,
        "source": p.source,
        "horizon": p.horizon,
        "probability": p.probability,
        "amount": "1000000",
    }
    day = timezone.localdate() + dt.timedelta(days=5)
    data = {**base, "next_action": "電話する", "next_action_on": day.isoformat(), "version": 1}
    assert client.post(reverse("prospects:edit", args=[p.pk]), data).status_code == 302
    planned = Activity.objects.get(prospect=p, status=ActivityStatus.PLANNED)
    assert (planned.subject, timezone.localdate(planned.starts_at)) == ("電話する", day)
    data = {**base, "next_action": "訪問する", "next_action_on": day.isoformat(), "version": 2}
    assert client.post(reverse("prospects:edit", args=[p.pk]), data).status_code == 302
    assert list(Activity.objects.filter(prospect=p).values_list("subject", flat=True)) == ["訪問する"]
    data = {**base, "next_action": "", "next_action_on": "", "version": 3}
    assert client.post(reverse("prospects:edit", args=[p.pk]), data).status_code == 302
    assert not Activity.objects.filter(prospect=p).exists()
