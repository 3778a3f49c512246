"""A scope resolved for its viewer reads its owners' cards owner by owner from the index (and its
unfiltered sums from the kept counts); any other scope reads them through the visibility rule with one
plain ranking, the reference here: both must give the same columns and cards, whatever the filters."""

from decimal import Decimal

import pytest

from pipeline import selectors
from prospects.models import Horizon, Source
from salescrm.lib.months import add_months
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(personas, month):
    make_prospect(
        personas.owner, name="100% 確実", horizon=Horizon.SHORT, expected_month=month, probability=90
    )
    make_prospect(
        personas.owner, name="under_score", horizon=Horizon.SHORT, amount=Decimal("1234.56"), probability=37
    )
    make_prospect(personas.teammate, name="Back\\slash", horizon=Horizon.MID, source=Source.REFERRAL)
    make_prospect(
        personas.teammate,
        name="Later",
        horizon=Horizon.LONG,
        expected_month=add_months(month, 2),
        next_activity="展示会の案内",
    )
    make_prospect(personas.outsider, name="Not in the team", horizon=Horizon.SHORT)


def _card(p):
    facts = {k: v for k, v in vars(p).items() if k != "owner"}
    return facts, p.owner.pk, p.owner.display_name


def _shape(columns):
    return [(c.horizon, c.count, c.amount, c.weighted, [p.pk for p in c.cards]) for c in columns]


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"source": Source.REFERRAL},
        {"q": "%"},
        {"q": "_"},
        {"q": "\\"},
        {"q": "確実"},
        {"q": "展示会"},
        {"month_from": "this"},
        {"month_to": "this"},
    ],
)
@pytest.mark.parametrize("viewer_name,scope_raw", [("owner", ""), ("manager", "team"), ("admin", "all")])
def test_the_per_owner_read_agrees_with_the_plain_ranking(
    personas, pipeline, today, month, filters, viewer_name, scope_raw, settings
):
    settings.BOARD_CARDS_PER_COLUMN = 1  # the LIMIT per column matters too
    viewer = getattr(personas, viewer_name)
    raw = {"team": f"team-{personas.team.pk}"}.get(scope_raw, scope_raw)
    resolved = selectors.resolve_scope(viewer, raw)
    assert resolved.resolved_for == viewer.pk
    unresolved = selectors.Scope(
        key=resolved.key, label=resolved.label, team=resolved.team, user=resolved.user
    )  # the same scope without its owner ids: the reference read
    values = {k: (month if v == "this" else v) for k, v in filters.items()}
    board_filters = selectors.BoardFilters(**values)
    fast = selectors.board_columns(viewer=viewer, scope=resolved, filters=board_filters, today=today)
    slow = selectors.board_columns(viewer=viewer, scope=unresolved, filters=board_filters, today=today)
    assert _shape(fast) == _shape(slow)
    assert [_card(p) for c in fast for p in c.cards] == [_card(p) for c in slow for p in c.cards]


def test_wildcards_in_the_search_are_literal(personas, pipeline, today):
    scope = selectors.resolve_scope(personas.owner, "")
    columns = selectors.board_columns(
        viewer=personas.owner, scope=scope, filters=selectors.BoardFilters(q="%"), today=today
    )
    assert [p.name for c in columns for p in c.cards] == ["100% 確実"]
