import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from closing.models import TestClosing as ClosingRecord
from prospects.models import Horizon
from targets.models import PipelineTarget
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_rep_home_lists_due_and_overdue_actions_and_counts_against_target(personas, client, today):
    make_prospect(personas.owner, name="due today", next_activity="Call", next_activity_on=today)
    make_prospect(
        personas.owner, name="late", next_activity="Visit", next_activity_on=today - dt.timedelta(days=2)
    )
    make_prospect(
        personas.owner, name="future", next_activity="Mail", next_activity_on=today + dt.timedelta(days=2)
    )
    PipelineTarget.objects.create(user=personas.owner, min_open=10, min_mid=5)
    client.force_login(personas.owner)
    response = client.get(reverse("home"))
    names = [a.prospect.name for a in response.context["actions"]]
    assert names == ["late", "due today"]
    horizons = {h: (count, target) for h, _label, count, target in response.context["horizons"]}
    assert horizons["mid"] == (4, 5) and horizons["short"] == (0, None)
    assert response.context["rows"] == []


def test_manager_home_has_one_row_per_rep_with_the_month_figures(personas, client, today, month):
    make_prospect(
        personas.owner, horizon=Horizon.SHORT, expected_month=month, amount=Decimal("1000"), probability=30
    )
    make_prospect(personas.owner, status="won", closed_on=today, won_amount=Decimal("5000"))
    asked = timezone.now() - dt.timedelta(days=3)
    ClosingRecord.objects.create(
        prospect=personas.prospect,
        question_text="q",
        answer="a",
        reading="positive",
        asked_by=personas.owner,
        asked_at=asked,
    )
    make_prospect(personas.outsider)
    client.force_login(personas.manager)
    response = client.get(reverse("home"))
    rows = {r.user.username: r for r in response.context["rows"]}
    assert set(rows) == {"owner", "teammate"}
    row = rows["owner"]
    assert row.counts == {"short": 1, "mid": 1, "long": 0}
    assert row.weighted_this_month == Decimal("300")
    assert row.won_this_month == Decimal("5000")
    assert row.days_since_test_closing == (today - timezone.localtime(asked).date()).days
    assert rows["teammate"].days_since_test_closing is None
    body = response.content.decode()
    assert f"?scope=user-{personas.owner.pk}" in body
