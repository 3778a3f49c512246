"""The prospect list's "nothing planned" filter and its next-action column read planned activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.activities.conftest import at, make_activity
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_the_filter_lists_only_open_prospects_with_nothing_planned(personas, login):
    planned = make_prospect(personas.owner, name="予定あり")
    make_activity(planned, starts_at=at(timezone.localdate() + dt.timedelta(days=2)), subject="電話する")
    done_only = make_prospect(personas.owner, name="実施のみ")
    make_activity(done_only, starts_at=timezone.now() - dt.timedelta(days=1), status="done")
    make_prospect(personas.owner, name="受注済み", status="won", closed_on=timezone.localdate(), won_amount=1)
    response = login(personas.owner).get(reverse("prospects:list"), {"status": "", "planned": "none"})
    names = {p.name for p in response.context["page"].object_list}
    assert names == {"実施のみ", personas.prospect.name}
    everything = login(personas.owner).get(reverse("prospects:list"))
    assert "電話する" in everything.content.decode()
