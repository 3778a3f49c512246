"""Home's "next actions due" list: the detail links are built from one reversed URL pattern (issue 8)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def test_each_due_action_links_to_its_prospect_and_says_when_it_is_overdue(personas, client):
    today = timezone.localdate()
    late = make_prospect(
        personas.owner, name="Late one", next_activity="call", next_activity_on=today - dt.timedelta(2)
    )
    due = make_prospect(personas.owner, name="Due today", next_activity="visit", next_activity_on=today)
    client.force_login(personas.owner)
    body = client.get(reverse("home")).content.decode()
    assert f'<a href="{reverse("prospects:detail", args=[late.pk])}">Late one</a>' in body
    assert f'<a href="{reverse("prospects:detail", args=[due.pk])}">Due today</a>' in body
    assert body.count("期限超過") >= 1  # "Overdue" for the late one only
    late_item = body.split("Late one", 1)[1].split("</li>", 1)[0]
    due_item = body.split("Due today", 1)[1].split("</li>", 1)[0]
    assert "期限超過" in late_item and "期限超過" not in due_item


def _queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("home")).status_code == 200
    return len(ctx.captured_queries)


def test_home_runs_the_same_number_of_queries_with_2_and_20_due_actions(personas, client):
    today = timezone.localdate()
    client.force_login(personas.owner)
    for i in range(2):
        make_prospect(personas.owner, next_activity=f"a{i}", next_activity_on=today)
    client.get(reverse("home"))
    small = _queries(client)
    for i in range(18):
        make_prospect(personas.owner, next_activity=f"b{i}", next_activity_on=today - dt.timedelta(i))
    assert _queries(client) == small <= 15
