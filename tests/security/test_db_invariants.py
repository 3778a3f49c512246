"""Every invariant is a CHECK/UNIQUE constraint in PostgreSQL: raw SQL that goes around the forms and
services is refused too. Each case: a valid row, then one raw UPDATE (or INSERT) that breaks one rule.
To cover a new invariant, append a case to the list of its table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Team
from closing import models as closing_models
from targets.models import PipelineTarget
from tests.conftest import make_prospect, make_user

pytestmark = pytest.mark.django_db

D = "2026-11-01"

# (case id, SQL SET clause, parameters)
PROSPECT_BREAKS = [
    ("probability above 100", "probability = 101", []),
    ("negative probability", "probability = -1", []),
    ("negative amount", "amount = -1", []),
    ("empty name", "name = ''", []),
    ("blank name", "name = %s", ["  \t "]),
    ("ideographic-space name", "name = %s", ["\u3000"]),
    ("unknown source", "source = 'telepathy'", []),
    ("unknown horizon", "horizon = 'forever'", []),
    ("unknown status", "status = 'maybe'", []),
    ("expected month not on the 1st", "expected_month = '2026-11-15'", []),
    ("won without amount", "status = 'won', closed_on = %s", [D]),
    ("won without date", "status = 'won', won_amount = 100", []),
    ("won with a negative amount", "status = 'won', closed_on = %s, won_amount = -1", [D]),
    ("lost without reason", "status = 'lost', closed_on = %s", [D]),
    ("lost without date", "status = 'lost', lost_reason = 'price'", []),
    ("competitor reason without name", "status = 'lost', closed_on = %s, lost_reason = 'competitor'", [D]),
    (
        "competitor reason with a blank name",
        "status = 'lost', closed_on = %s, lost_reason = 'competitor', competitor = '   '",
        [D],
    ),
    ("open with a close date", "closed_on = %s", [D]),
    ("open with a won amount", "won_amount = 100", []),
    ("open with a lost reason", "lost_reason = 'price'", []),
    ("version zero", "version = 0", []),
]

PROSPECT_ALLOWED = [
    ("won with date and amount", "status = 'won', closed_on = %s, won_amount = 0", [D]),
    ("lost with date and reason", "status = 'lost', closed_on = %s, lost_reason = 'price'", [D]),
    (
        "lost to a named competitor",
        "status = 'lost', closed_on = %s, lost_reason = 'competitor', competitor = 'A社'",
        [D],
    ),
    ("probability 0 and 100", "probability = 100, amount = 0", []),
    ("expected month on the 1st", "expected_month = %s", [D]),
]

TEST_CLOSING_BREAKS = [
    ("unknown reading", "reading = 'ecstatic'", []),
    ("empty question", "question_text = ''", []),
    ("blank question", "question_text = %s", [" \n "]),
    ("negative budget", "revealed_budget = -1", []),
    ("revealed month not on the 1st", "revealed_month = '2026-11-02'", []),
]

TARGET_BREAKS = [
    ("negative sales target", "sales_target = -1", []),
    ("short minimum above the total", "min_open = 5, min_short = 6", []),
    ("mid minimum above the total", "min_open = 5, min_mid = 6", []),
    ("long minimum above the total", "min_open = 5, min_long = 6", []),
    ("negative minimum", "min_open = -1", []),
]


def raw_update(table: str, pk: int, set_clause: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {set_clause} WHERE id = %s", [*params, pk])


def assert_refused(table: str, pk: int, set_clause: str, params: list) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_update(table, pk, set_clause, params)


@pytest.fixture
def prospect(db):
    return make_prospect(make_user(), expected_month=dt.date(2026, 12, 1))


@pytest.fixture
def test_closing(prospect):
    return closing_models.TestClosing.objects.create(
        prospect=prospect,
        question_text="ご予算はどのくらいですか",
        answer="300万円くらい",
        reading=closing_models.Reading.POSITIVE,
        revealed_budget=Decimal("3000000"),
        asked_by=prospect.owner,
    )


@pytest.mark.parametrize("case,set_clause,params", PROSPECT_BREAKS, ids=[c[0] for c in PROSPECT_BREAKS])
def test_raw_sql_cannot_break_a_prospect_invariant(prospect, case, set_clause, params):
    assert_refused("prospects_prospect", prospect.pk, set_clause, params)
    prospect.refresh_from_db()  # the row is untouched and the connection still usable
    assert prospect.status == "open"


@pytest.mark.parametrize("case,set_clause,params", PROSPECT_ALLOWED, ids=[c[0] for c in PROSPECT_ALLOWED])
def test_raw_sql_may_write_a_valid_prospect(prospect, case, set_clause, params):
    """The control: the constraints do not refuse valid rows."""
    with transaction.atomic():
        raw_update("prospects_prospect", prospect.pk, set_clause, params)


def test_a_raw_insert_of_a_nameless_prospect_is_refused(prospect):
    columns = (
        "name, contact_person, phone, email, address, source, horizon, probability, expected_month_slips,"
        " amount, status, notes, lost_reason, competitor, outcome_note,"
        " created_at, updated_at, version, owner_id"
    )
    values = "%s, '', '', '', '', 'inbound', 'mid', 50, 0, 0, 'open', '', '', '', '', now(), now(), 1, %s"
    sql = f"INSERT INTO prospects_prospect ({columns}) VALUES ({values})"
    with connection.cursor() as cursor:
        with transaction.atomic():
            cursor.execute(sql, ["Valid name", prospect.owner_id])
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute(sql, [" ", prospect.owner_id])


def test_raw_sql_cannot_set_an_unknown_lost_reason(prospect):
    assert_refused(
        "prospects_prospect", prospect.pk, "status = 'lost', closed_on = %s, lost_reason = 'bogus'", [D]
    )


@pytest.mark.parametrize(
    "case,set_clause,params", TEST_CLOSING_BREAKS, ids=[c[0] for c in TEST_CLOSING_BREAKS]
)
def test_raw_sql_cannot_break_a_test_closing_invariant(test_closing, case, set_clause, params):
    assert_refused("closing_testclosing", test_closing.pk, set_clause, params)


@pytest.fixture
def scoped_targets(db):
    rep = make_user()
    team = Team.objects.create(name="Invariant team")
    return {
        "rep": PipelineTarget.objects.create(user=rep, min_open=10),
        "team": PipelineTarget.objects.create(team=team, min_open=30),
        "company": PipelineTarget.objects.create(min_open=100),
    }


@pytest.mark.parametrize("case,set_clause,params", TARGET_BREAKS, ids=[c[0] for c in TARGET_BREAKS])
@pytest.mark.parametrize("scope", ["rep", "team", "company"])
def test_raw_sql_cannot_break_a_pipeline_target_invariant(scoped_targets, scope, case, set_clause, params):
    assert_refused("targets_pipelinetarget", scoped_targets[scope].pk, set_clause, params)


def test_a_target_cannot_have_two_scopes(scoped_targets):
    team_id = scoped_targets["team"].team_id
    scoped_targets["team"].delete()
    assert_refused("targets_pipelinetarget", scoped_targets["rep"].pk, "team_id = %s", [team_id])


def test_there_is_at_most_one_company_row(scoped_targets):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO targets_pipelinetarget (min_open, updated_at) VALUES (5, now())")
    # Turning a scoped row into a second company row is refused as well.
    assert_refused("targets_pipelinetarget", scoped_targets["rep"].pk, "user_id = NULL", [])


def test_per_horizon_minimums_up_to_the_total_are_allowed(scoped_targets):
    with transaction.atomic():
        raw_update(
            "targets_pipelinetarget",
            scoped_targets["rep"].pk,
            "min_open = 6, min_short = 6, min_mid = 3, min_long = 0, sales_target = 0",
            [],
        )
