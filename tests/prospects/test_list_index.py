"""A rep's default prospect list (open, last updated first) is read in index order: its first page is
the first entries of an index, so the list does not slow down as the rep's own open count grows (the
bench's heavy rep). The SQL the page really sends is explained with sorting priced out of reach: a
Sort node in the plan means no index gives that order."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db


def _page_query(client) -> str:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("prospects:list")).status_code == 200
    pages = [
        q["sql"]
        for q in ctx.captured_queries
        if "prospects_prospect" in q["sql"] and re.search(r"\bORDER BY\b.*\bLIMIT\b", q["sql"], re.S)
    ]
    assert len(pages) == 1, [q["sql"] for q in ctx.captured_queries]
    return pages[0]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_a_reps_default_list_page_is_read_in_index_order_without_a_sort(personas, client):
    ProspectFactory.create_batch(30, owner=personas.owner)
    client.force_login(personas.owner)
    plan = _plan(_page_query(client))
    assert "Sort" not in plan, plan
    assert "prospect_open_updated" in plan, plan
