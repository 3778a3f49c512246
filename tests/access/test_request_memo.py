"""A signed-in request reads a manager's led teams and visible owners once (accounts.access
remember_for_request), and nothing outside a request keeps them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.access import remember_for_request, visible_users
from prospects.models import Prospect
from tests.factories import ProspectFactory, UserFactory

pytestmark = pytest.mark.django_db

LED_TEAMS = '"accounts_team_managers"'


def test_a_managers_page_reads_the_teams_they_lead_once(personas, client):
    ProspectFactory(owner=personas.owner)
    client.force_login(personas.manager)
    url = reverse("pipeline:board")
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if LED_TEAMS in q["sql"]]
    # The bell, the scope menu, the totals and the cards all filter by what the manager sees: one
    # read of it (without the memo each of five queries carried it as a nested subquery).
    assert len(reads) == 1, reads


def test_the_remembered_owners_are_the_rules_owners(personas):
    expected = set(visible_users(personas.manager))
    remember_for_request(personas.manager)
    assert set(visible_users(personas.manager)) == expected
    assert set(Prospect.objects.visible_to(personas.manager)) == set(
        Prospect.objects.filter(owner__in=expected)
    )


def test_without_a_request_a_new_member_is_seen_at_once(personas):
    """A job or the shell keeps the subquery: a User object that lives on never carries a stale team."""
    before = set(visible_users(personas.manager))
    newcomer = UserFactory(member_of=personas.manager.managed_teams.first())
    assert set(visible_users(personas.manager)) == before | {newcomer}


def test_the_next_request_sees_a_new_member(personas, client):
    client.force_login(personas.manager)
    newcomer = UserFactory(member_of=personas.manager.managed_teams.first())
    prospect = ProspectFactory(owner=newcomer)
    response = client.get(reverse("prospects:detail", args=[prospect.pk]))
    assert response.status_code == 200
