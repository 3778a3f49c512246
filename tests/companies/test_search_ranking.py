"""The search box's order (#19): best word similarity first, then the oldest record, for every kind. A stem
(companies.search.STEM_MAX_CHARS) reads only the close rows when they fill a page (pg_trgm's `%>`): the
order must be the one ranking every match gives, and must not hang on pg_trgm's threshold."""

from __future__ import annotations

import pytest
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models.functions import Greatest
from django.test.utils import CaptureQueriesContext

from companies.models import Company, Contact
from companies.normalize import normalize_name
from companies.search import LIMIT, STEM_MAX_CHARS, search, search_companies, search_contacts
from prospects.models import Prospect
from tests.factories import ProspectFactory

pytestmark = pytest.mark.django_db

TRADES = [
    "工務店",
    "建設",
    "不動産",
    "電機",
    "商事",
    "物産",
    "運輸",
    "製作所",
    "興業",
    "産業",
    "設計",
    "塗装",
]


def every_match_ranked(model, query: str) -> list[str]:
    """The order before the close rows were read alone: every record whose normalised name contains the
    query, ranked on its name and furigana (the pg_trgm word similarity), then by id."""
    text = normalize_name(query)
    rows = model.objects.filter(name_norm__contains=text, merged_into__isnull=True).annotate(
        rank=Greatest(TrigramWordSimilarity(text, "name_norm"), TrigramWordSimilarity(text, "furigana_norm"))
    )
    return [record.name for record in rows.order_by("-rank", "pk")]


@pytest.fixture
def directory(personas):
    """Companies whose name holds ミナト: in the middle of a word (far), at its start (close), and the
    word itself, created in an order that mixes them, so that ids alone do not give the ranking."""
    for n, trade in enumerate(TRADES):
        Company.objects.create(name=f"北ミナト{trade}")  # far: ミナト in the middle
        Company.objects.create(name=f"株式会社ミナト{trade}{n}")  # close: ミナト starts the name
        Company.objects.create(name=f"南みなと{trade}")
    Company.objects.create(name="ミナト")  # the word itself: the closest of all, made last
    Company.objects.create(name="(株)ミナト工務店本社")
    return personas


def test_a_stem_finds_today_s_order_reading_only_the_close_rows(directory):
    assert len("ミナト") <= STEM_MAX_CHARS
    expected = every_match_ranked(Company, "ミナト")[:LIMIT]
    with CaptureQueriesContext(connection) as queries:
        found = [c.name for c in search_companies(directory.owner, "ミナト")]
    assert found == expected
    assert found[0] == "ミナト" and found[1:3] == ["株式会社ミナト工務店0", "株式会社ミナト建設1"]
    # One query asks whether the close rows fill the page, the next reads only them.
    assert len(queries) == 2 and "%>" in queries[1]["sql"]


@pytest.mark.parametrize("query", ["みなと", "ﾐﾅﾄ", "ﾐなト", " ミナト "])
def test_kana_and_width_fold_to_the_same_order(directory, query):
    assert [c.name for c in search(directory.owner, query).companies] == every_match_ranked(
        Company, "ミナト"
    )[:LIMIT]


def test_a_longer_query_ranks_every_match_as_before(directory):
    assert len("ミナト工務店") > STEM_MAX_CHARS
    with CaptureQueriesContext(connection) as queries:
        found = [c.name for c in search_companies(directory.owner, "ミナト工務店")]
    assert found == every_match_ranked(Company, "ミナト工務店")
    assert found[:2] == ["株式会社ミナト工務店0", "(株)ミナト工務店本社"]
    assert len(queries) == 1 and "%>" not in queries[0]["sql"]


def test_a_kind_with_fewer_close_rows_than_a_page_ranks_every_match(personas):
    for n in range(LIMIT + 2):
        Contact.objects.create(name=f"大ミナト{n}")  # far
    Contact.objects.create(name="ミナト 花子")  # close
    Contact.objects.create(name="ミナト")  # the closest
    found = [c.name for c in search_contacts(personas.owner, "ミナト")]
    assert found == every_match_ranked(Contact, "ミナト")[:LIMIT]
    assert found[:3] == ["ミナト", "ミナト 花子", "大ミナト0"]


def test_prospects_without_a_company_come_first_as_before(directory):
    close = [
        ProspectFactory(owner=directory.owner, company=c)
        for c in Company.objects.filter(name__startswith="株式会社")
    ]
    loose = ProspectFactory(owner=directory.owner, name="ミナトの倉庫", company=None)
    found = search(directory.owner, "ミナト").prospects
    assert found[0] == loose and found[1:] == close[: LIMIT - 1]
    loose.delete()
    assert search(directory.owner, "ミナト").prospects == close[:LIMIT]


def test_the_search_makes_as_many_queries_whatever_it_finds(directory):
    with CaptureQueriesContext(connection) as stem:
        search(directory.owner, "ミナト")
    with CaptureQueriesContext(connection) as nothing_close:
        search(directory.owner, "ト")
    assert len(stem) == len(nothing_close) == 4


def test_the_close_rows_come_from_pg_trgm_s_threshold_and_the_order_does_not_depend_on_it(directory):
    """STEM_MAX_CHARS is where a match that ends a word stops being close at the default threshold (0.6):
    the server must have it. Any other threshold gives the same order, only a slower path."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word_similarity('a', 'a'), current_setting('pg_trgm.word_similarity_threshold')"
        )
        assert float(cursor.fetchone()[1]) == 0.6
    expected = every_match_ranked(Company, "ミナト")[:LIMIT]
    for threshold in ("0.2", "0.9"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)", [threshold])
        try:
            assert [c.name for c in search_companies(directory.owner, "ミナト")] == expected
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET pg_trgm.word_similarity_threshold")


def test_the_pickers_read_the_deal_counts_in_the_same_query(directory):
    company = Company.objects.get(name="ミナト")
    ProspectFactory.create_batch(2, owner=directory.owner, company=company)
    with CaptureQueriesContext(connection) as queries:
        found = search_companies(directory.owner, "ミナト", limit=5, deals=True)
    assert isinstance(found, list) and found[0] == company and found[0].deals == 2
    assert len(queries) == 2
    assert Prospect.objects.filter(company=company).count() == 2
