from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from prospects.models import Horizon, Prospect, Source, Status
from targets.scopes import team_key, user_key
from targets.selectors import cycle_ledger
from tests.conftest import make_prospect, make_user
from tests.targets.conftest import close, set_target

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def test_the_ledger_adds_up_month_by_month_on_a_hand_made_history():
    rep = make_user("ledger-rep")
    # Before the window (June 2026 is the first month): 3 open at the start, one of them won in July.
    old = [make_prospect(rep, created_at=at(dt.date(2026, 3, 1)), amount=100) for _ in range(3)]
    close(old[0], Status.WON, dt.date(2026, 7, 10))
    # One that was already closed before the window does not count.
    gone = make_prospect(rep, created_at=at(dt.date(2026, 2, 1)))
    close(gone, Status.LOST, dt.date(2026, 4, 1))
    # July: 2 new (referral, flyer); one of them lost in September.
    make_prospect(rep, created_at=at(dt.date(2026, 7, 3)), source=Source.REFERRAL, amount=200)
    july_flyer = make_prospect(rep, created_at=at(dt.date(2026, 7, 20)), source=Source.FLYER, amount=300)
    close(july_flyer, Status.LOST, dt.date(2026, 9, 2))
    # November: 1 new referral.
    make_prospect(rep, created_at=at(dt.date(2026, 11, 5)), source=Source.REFERRAL, amount=400)
    set_target(user=rep, min_open=4)

    ledger = cycle_ledger(user_key(rep.pk), today=TODAY)
    months = {m.month: m for m in ledger.months}
    assert list(months) == [dt.date(2026, m, 1) for m in range(6, 12)]
    june, july, sept, nov = (months[dt.date(2026, m, 1)] for m in (6, 7, 9, 11))
    assert (june.opening, june.new, june.won, june.lost, june.closing) == (3, 0, 0, 0, 3)
    assert (july.opening, july.new, july.won, july.lost, july.closing) == (3, 2, 1, 0, 4)
    assert july.new_by_source == {"referral": 1, "flyer": 1}
    assert (sept.won, sept.lost, sept.closing) == (0, 1, 3)
    assert (nov.new, nov.closing) == (1, 4)
    # The last closing equals the open prospects now.
    assert nov.closing == Prospect.objects.filter(owner=rep, status=Status.OPEN).count()
    # By amount too: 300 opening, +500 new, -100 won in July -> 700; -300 lost in September.
    assert (july.opening_amount, july.closing_amount) == (300, 700)
    assert sept.closing_amount == 400 and nov.closing_amount == 800
    # Against the target line (4): June is below.
    assert [b["below"] for b in ledger.chart["bars"]] == [True, False, False, True, True, False]


def test_horizon_moves_come_from_the_history():
    from prospects.services import prospect_update

    rep = make_user("mover")
    p = make_prospect(rep, horizon=Horizon.LONG)
    prospect_update(prospect=p, by=rep, expected_version=p.version, horizon=Horizon.SHORT)
    ledger = cycle_ledger(user_key(rep.pk))
    this = ledger.months[-1]
    assert this.moves == {"short": 1}


def test_the_ledger_costs_a_constant_number_of_queries(personas, django_assert_num_queries):
    for i in range(30):
        make_prospect(personas.teammate, created_at=at(TODAY - dt.timedelta(days=5 * i)))
    with django_assert_num_queries(6):
        cycle_ledger(team_key(personas.team.pk), today=TODAY)
