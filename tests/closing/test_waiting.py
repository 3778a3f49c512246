"""The "waiting too long" list: open mid/long prospects with no test closing for N days."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from closing import selectors
from tests.factories import ProspectFactory, TestClosingFactory

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.now() - dt.timedelta(days=n)


def asked(prospect, when):
    TestClosingFactory(prospect=prospect, asked_at=when)


@pytest.fixture
def board(personas):
    owner = personas.owner
    return {
        "never_big": ProspectFactory(
            owner=owner, name="never big", long=True, amount=Decimal(9000000), created_at=days_ago(60)
        ),
        "stale_mid": ProspectFactory(
            owner=owner, name="stale mid", mid=True, amount=Decimal(3000000), created_at=days_ago(200)
        ),
        "recent_tc": ProspectFactory(
            owner=owner, name="recent tc", mid=True, amount=Decimal(5000000), created_at=days_ago(200)
        ),
        "new": ProspectFactory(
            owner=owner, name="brand new", long=True, amount=Decimal(8000000), created_at=days_ago(3)
        ),
        "short": ProspectFactory(
            owner=owner, name="short one", short=True, amount=Decimal(7000000), created_at=days_ago(90)
        ),
        "closed": ProspectFactory(
            owner=owner, name="closed one", mid=True, lost=True, created_at=days_ago(90)
        ),
    }


def test_lists_stale_mid_and_long_prospects_largest_amount_first(personas, board):
    asked(board["stale_mid"], days_ago(45))
    asked(board["recent_tc"], days_ago(45))
    asked(board["recent_tc"], days_ago(5))  # the latest one counts
    names = [p.name for p in selectors.stale_prospects(personas.owner, days=30)]
    assert names == ["never big", "stale mid"]


def test_the_number_of_days_is_a_setting_and_a_query_parameter(personas, board, client, settings):
    asked(board["recent_tc"], days_ago(10))
    asked(board["stale_mid"], days_ago(10))
    client.force_login(personas.owner)
    settings.TEST_CLOSING_STALE_DAYS = 7
    names = [p.name for p in client.get(reverse("closing:waiting")).context["page"]]
    assert names == ["never big", "recent tc", "stale mid"]
    names = [p.name for p in client.get(reverse("closing:waiting"), {"days": 30}).context["page"]]
    assert names == ["never big"]
    assert client.get(reverse("closing:waiting"), {"days": "-3"}).context["days"] == 7  # bad input: default


def test_the_default_is_30_days(personas, board, client):
    client.force_login(personas.owner)
    response = client.get(reverse("closing:waiting"))
    assert response.context["days"] == 30
    assert "never big" in response.content.decode()


def test_the_page_costs_the_same_queries_whatever_the_data(personas, board, client):
    client.force_login(personas.manager)
    client.get(reverse("closing:waiting"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("closing:waiting"))
    for i in range(6):
        p = ProspectFactory(owner=personas.teammate, long=True, created_at=days_ago(100 + i))
        asked(p, days_ago(40))
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("closing:waiting"))
    assert len(response.context["page"].object_list) == 3 + 6
    assert len(large) == len(small)


def test_a_done_proposal_quote_or_showroom_visit_puts_the_prospect_first_until_a_test_closing(
    personas, board
):
    from activities.models import ActivityStatus
    from activities.testclose import is_test_close_now
    from tests.activities.conftest import make_activity

    # "brand new" (not quiet long enough) and "short one" (short term) are not waiting by days...
    make_activity(board["new"], starts_at=days_ago(1), status=ActivityStatus.DONE, code="proposal_sent")
    make_activity(board["short"], starts_at=days_ago(2), status=ActivityStatus.DONE, code="quote_sent")
    # ... a call is no trigger, and a planned proposal is not done yet.
    make_activity(board["stale_mid"], starts_at=days_ago(1), status=ActivityStatus.DONE, code="call")
    make_activity(board["recent_tc"], starts_at=days_ago(-2), code="proposal_sent")
    asked(board["recent_tc"], days_ago(5))
    names = [p.name for p in selectors.stale_prospects(personas.owner, days=30)]
    assert names == ["brand new", "short one", "never big", "stale mid"]  # test-close now first
    assert is_test_close_now(board["new"]) and not is_test_close_now(board["stale_mid"])
    asked(board["new"], days_ago(0))  # the test closing clears it
    assert not is_test_close_now(board["new"])
    names = [p.name for p in selectors.stale_prospects(personas.owner, days=30)]
    assert names == ["short one", "never big", "stale mid"]
