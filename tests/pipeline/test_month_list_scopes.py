"""The month list of a scope resolved for its viewer (its owner ids) and of the same scope read through
the visibility rule must give the same totals, bands and rows."""

import datetime as dt
from decimal import Decimal

import pytest

from closing.models import TestClosing as ClosingRecord
from pipeline import selectors
from prospects.models import Horizon, Status
from salescrm.lib.months import add_months
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(personas, month, today):
    owner, mate = personas.owner, personas.teammate
    a = make_prospect(owner, name="A deal", expected_month=month, probability=90, amount=Decimal("1234.56"))
    make_prospect(owner, name="B deal", expected_month=month, probability=60)
    make_prospect(mate, name="C deal", expected_month=month, probability=20, amount=Decimal("999.99"))
    make_prospect(mate, name="Short, no month", horizon=Horizon.SHORT, probability=55)
    make_prospect(mate, name="Mid, no month", horizon=Horizon.MID)
    make_prospect(owner, name="Next month", expected_month=add_months(month, 1))
    make_prospect(personas.outsider, name="Other team", expected_month=month)
    make_prospect(
        owner,
        name="Won this month",
        expected_month=month,
        status=Status.WON,
        closed_on=today,
        won_amount=Decimal("5000"),
        probability=100,
    )
    now = dt.datetime.now(dt.UTC)
    for i, answer in enumerate(["まだ", "前向きです"]):
        ClosingRecord.objects.create(
            prospect=a,
            question_text="いつ頃?",
            answer=answer,
            reading="positive",
            asked_by=owner,
            asked_at=now - dt.timedelta(days=2 - i),
        )


def _rows(data):
    return [({k: v for k, v in vars(p).items() if k != "owner"}, p.owner.display_name) for p in data.rows]


def _totals(t):
    return (t.label, t.count, t.amount, t.weighted, t.won_count, t.won, sorted(t.rank_amount.items()))


@pytest.mark.parametrize("viewer_name,raw", [("owner", ""), ("manager", "team"), ("admin", "all")])
@pytest.mark.parametrize("page,page_size", [(1, None), (1, 2), (2, 2)])
def test_the_resolved_and_the_visibility_reads_agree(
    personas, listed, month, today, viewer_name, raw, page, page_size
):
    viewer = getattr(personas, viewer_name)
    resolved = selectors.resolve_scope(viewer, {"team": f"team-{personas.team.pk}"}.get(raw, raw))
    unresolved = selectors.Scope(
        key=resolved.key, label=resolved.label, team=resolved.team, user=resolved.user
    )
    args = dict(viewer=viewer, month=month, today=today, page=page, page_size=page_size)
    fast = selectors.month_list(scope=resolved, **args)
    slow = selectors.month_list(scope=unresolved, **args)
    assert fast.rows and _rows(fast) == _rows(slow)
    assert _totals(fast.total) == _totals(slow.total)
    assert sorted(map(_totals, fast.per_rep)) == sorted(map(_totals, slow.per_rep))
    assert (fast.page, fast.pages) == (slow.page, slow.pages)


def test_the_row_carries_the_last_test_closing(personas, listed, month, today):
    scope = selectors.resolve_scope(personas.owner, "")
    data = selectors.month_list(viewer=personas.owner, scope=scope, month=month, today=today)
    rows = {p.name: p for p in data.rows}
    assert [p.name for p in data.rows][:2] == ["B deal", "A deal"]  # 600,000 then 1,111 weighted
    assert rows["A deal"].last_tc_answer == "前向きです" and rows["A deal"].last_tc_reading == "positive"
    assert rows["B deal"].last_tc_on is None
    assert data.total.won == Decimal("5000") and data.total.won_count == 1
