"""The board card and the month list show each prospect's next planned activity (read in the page's
own query) and mark an open prospect with nothing planned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from prospects.models import Horizon
from salescrm.lib.months import this_month
from tests.activities.conftest import at, make_activity
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def _nothing_planned() -> str:
    with translation.override("ja"):
        return gettext("Nothing planned")


@pytest.mark.parametrize("page", ["pipeline:board", "pipeline:month_list"])
def test_the_next_planned_activity_is_on_the_card_and_row(personas, login, page):
    month = this_month()
    planned = make_prospect(
        personas.owner, name="計画のある会社", horizon=Horizon.SHORT, expected_month=month
    )
    make_activity(planned, starts_at=at(timezone.localdate() + dt.timedelta(days=9)), subject="二回目の訪問")
    make_activity(planned, starts_at=at(timezone.localdate() + dt.timedelta(days=20)), subject="もっと先")
    make_prospect(personas.owner, name="計画のない会社", horizon=Horizon.SHORT, expected_month=month)
    body = login(personas.owner).get(reverse(page)).content.decode()
    assert "二回目の訪問" in body and "もっと先" not in body
    # 計画のない会社, and on the board also the personas' 山田工務店 (mid term, no month, nothing planned)
    assert body.count(_nothing_planned()) == (2 if page == "pipeline:board" else 1)


@pytest.mark.parametrize("page", ["pipeline:board", "pipeline:month_list"])
def test_the_next_activity_costs_no_query_per_card(personas, login, page):
    client = login(personas.owner)
    month = this_month()

    def add(n):
        for i in range(n):
            p = make_prospect(personas.owner, horizon=Horizon.SHORT, expected_month=month)
            make_activity(p, starts_at=at(timezone.localdate() + dt.timedelta(days=i + 1)), subject=f"s{i}")

    add(2)
    client.get(reverse(page))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(page))
    add(8)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(page))
    assert len(large.captured_queries) == len(small.captured_queries)
