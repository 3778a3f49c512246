import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(personas):
    o = personas.owner
    make_prospect(
        o, name="Alpha Short", horizon="short", source="referral", expected_month=dt.date(2026, 12, 1)
    )
    make_prospect(o, name="Beta Long", horizon="long", source="flyer", expected_month=dt.date(2027, 9, 1))
    make_prospect(
        o, name="Gamma Won", status="won", closed_on=dt.date(2026, 10, 3), won_amount=1, horizon="short"
    )
    make_prospect(personas.teammate, name="Delta Mate", horizon="mid", source="referral")
    return personas


def names(response):
    return {p.name for p in response.context["page"].object_list}


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, {"山田工務店", "Alpha Short", "Beta Long"}),  # open by default
        ({"horizon": "short"}, {"Alpha Short"}),
        ({"source": "flyer"}, {"Beta Long"}),
        ({"status": "won"}, {"Gamma Won"}),
        ({"status": ""}, {"山田工務店", "Alpha Short", "Beta Long", "Gamma Won"}),
        ({"month_from": "2026-12", "month_to": "2027-01"}, {"Alpha Short"}),
        ({"q": "beta"}, {"Beta Long"}),
    ],
)
def test_list_filters(spread, client, query, expected):
    client.force_login(spread.owner)
    assert names(client.get(reverse("prospects:list"), query)) == expected


def test_manager_filters_by_owner(spread, client):
    client.force_login(spread.manager)
    response = client.get(reverse("prospects:list"), {"owner": spread.teammate.pk})
    assert names(response) == {"Delta Mate"}


def test_rep_cannot_filter_by_another_owner(spread, client):
    client.force_login(spread.owner)
    response = client.get(reverse("prospects:list"), {"owner": spread.teammate.pk})
    assert "Delta Mate" not in names(response)


def test_sorting_by_amount(spread, client):
    client.force_login(spread.owner)
    make_prospect(spread.owner, name="Big", amount=99_000_000)
    response = client.get(reverse("prospects:list"), {"sort": "amount"})
    assert response.context["page"].object_list[0].name == "Big"


def test_htmx_request_gets_only_the_results_fragment(spread, client):
    client.force_login(spread.owner)
    response = client.get(reverse("prospects:list"), {"horizon": "short"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "<html" not in body and "Alpha Short" in body


def test_the_filter_form_pushes_its_state_into_the_url(spread, client):
    client.force_login(spread.owner)
    body = client.get(reverse("prospects:list")).content.decode()
    assert 'hx-push-url="true"' in body


def test_pagination_keeps_the_filters(personas, client):
    for i in range(30):
        make_prospect(personas.owner, name=f"P{i:02d}", source="flyer")
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:list"), {"source": "flyer"}).content.decode()
    assert 'href="?source=flyer&amp;page=2"' in body


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["owner", "manager", "admin"])
def test_the_list_runs_the_same_number_of_queries_at_10_and_200_prospects(personas, client, role):
    others = [make_user() for _ in range(5)]
    personas.team.members.add(*others)
    for i in range(10):
        make_prospect(others[i % 5] if role != "owner" else personas.owner)
    client.force_login(getattr(personas, role))
    url = reverse("prospects:list")
    client.get(url)  # warm: the first request of a session writes the session once
    small = _count_queries(client, url)
    for i in range(190):
        make_prospect(others[i % 5] if role != "owner" else personas.owner)
    assert _count_queries(client, url) == small
    assert small <= 10


def test_the_page_renders_in_japanese_by_default_and_in_english_on_request(spread, client):
    client.force_login(spread.owner)
    ja = client.get(reverse("prospects:list")).content.decode()
    assert "見込み客" in ja and "見込み区分" in ja and "短期" in ja and "¥1,000,000" in ja
    assert 'lang="ja"' in ja
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    en = client.get(reverse("prospects:list")).content.decode()
    assert 'lang="en"' in en and "Horizon" in en and "Short term" in en and "見込み区分" not in en


def test_months_and_money_are_shown_in_the_users_language(spread, client):
    client.force_login(spread.owner)
    ja = client.get(reverse("prospects:list"), {"horizon": "short"}).content.decode()
    assert "2026年12月" in ja
    client.cookies["django_language"] = "en"
    en = client.get(reverse("prospects:list"), {"horizon": "short"}).content.decode()
    assert "Dec 2026" in en


def test_a_history_restore_request_gets_the_whole_page(spread, client):
    client.force_login(spread.owner)
    response = client.get(
        reverse("prospects:list"),
        {"horizon": "short"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_lists_count_with_the_usual_filters_is_read_from_an_index_alone(spread, client):
    """prospect_list_filters: the paginator's COUNT of a manager's owners, status, horizon and source
    needs no visit to the table (it scanned the whole table at M without it). Committed and vacuumed
    as autovacuum would leave them: rows inserted in the test's own transaction are not all-visible,
    so the planner priced every index-only scan as a heap visit and picked another index at random."""
    for i in range(300):
        make_prospect(
            (spread.owner, spread.teammate)[i % 2],
            horizon=("short", "mid", "long")[i % 3],
            source=("inbound", "flyer", "referral", "other")[i % 4],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE prospects_prospect")
    client.force_login(spread.manager)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("prospects:list"), {"source": "inbound", "horizon": "short"})
    count_sql = next(
        q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"] and "prospects_prospect" in q["sql"]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + count_sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # From an index alone: prospect_list_filters, or the partial open-pipeline indexes that also hold
    # (owner, horizon) of open rows; the planner's pick among them depends on the sampled statistics.
    assert "Index Only Scan using prospect_" in plan and "Seq Scan" not in plan, plan
