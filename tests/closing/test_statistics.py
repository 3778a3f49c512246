"""Each statistic against a small hand-made data set whose answers are worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from closing import selectors
from prospects.models import Source
from salescrm.lib.months import add_months, this_month
from tests.factories import ProspectFactory, QuestionFactory, TestClosingFactory

pytestmark = pytest.mark.django_db

M0 = add_months(this_month(), -2)
M1 = add_months(this_month(), -1)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def won(owner, closed_on, amount, created, source=Source.INBOUND, **kw):
    return ProspectFactory(
        owner=owner,
        won=True,
        closed_on=closed_on,
        won_amount=Decimal(amount),
        created_at=at(created),
        source=source,
        **kw,
    )


def lost(owner, closed_on, reason, amount, source=Source.INBOUND, **kw):
    return ProspectFactory(
        owner=owner,
        lost=True,
        closed_on=closed_on,
        lost_reason=reason,
        amount=Decimal(amount),
        source=source,
        **kw,
    )


def tc(prospect, by, day, reading, question=None, hour=12):
    return TestClosingFactory(
        prospect=prospect,
        question=question,
        question_text=question.text_ja if question else "自由質問",
        answer="…",
        reading=reading,
        asked_by=by,
        asked_at=at(day, hour),
    )


@pytest.fixture
def data(personas):
    owner, mate, outsider = personas.owner, personas.teammate, personas.outsider
    q1 = QuestionFactory(text_ja="価格Q", text_en="price Q", kind="price")
    q2 = QuestionFactory(text_ja="時期Q", text_en="timing Q", kind="timing")
    a = won(owner, M0 + dt.timedelta(days=5), 1000000, M0 - dt.timedelta(days=10))  # 15 days to won
    b = lost(owner, M0 + dt.timedelta(days=10), "price", 500000)
    c = won(
        owner,
        M1 + dt.timedelta(days=2),
        2000000,
        M1 + dt.timedelta(days=2) - dt.timedelta(days=25),
        source=Source.REFERRAL,
    )
    d = lost(mate, M1 + dt.timedelta(days=3), "competitor", 300000, source=Source.REFERRAL, competitor="X社")
    e = ProspectFactory(owner=mate, source=Source.INBOUND)
    f = won(outsider, M1, 7000000, M1 - dt.timedelta(days=3))  # not visible to the manager
    won(owner, add_months(this_month(), -13), 999, add_months(this_month(), -14))  # before the period
    tc(a, owner, M0, "positive", q1)
    tc(b, owner, M0 + dt.timedelta(days=1), "negative", q1)
    tc(e, mate, M1, "positive", q1)
    tc(c, owner, M1, "undecided", q2)
    tc(a, owner, M0 + dt.timedelta(days=19), "positive", q2)  # asked after A was won: not "won within"
    tc(d, mate, M1 + dt.timedelta(days=1), "negative")
    tc(f, outsider, M1, "positive", q1)
    # Asked at 23:30 Tokyo on the last day of M1 (14:30 UTC): counts in M1, not in the next month.
    return {
        "q1": q1,
        "q2": q2,
        "period": selectors.Period.months(add_months(this_month(), -11), this_month()),
    }


def test_per_question_times_asked_positive_share_and_won_within_90_days(personas, data):
    stats = {s.question_id: s for s in selectors.question_stats(personas.manager, data["period"])}
    q1, q2, free = stats[data["q1"].pk], stats[data["q2"].pk], stats[None]
    assert (q1.asked, q1.positive, q1.prospects, q1.won_within) == (3, 2, 3, 1)
    assert q1.positive_rate == Decimal("66.7") and q1.won_rate == Decimal("33.3")
    assert (q2.asked, q2.positive, q2.prospects, q2.won_within) == (2, 1, 2, 1)
    assert q2.won_rate == Decimal("50.0")
    assert (free.asked, free.positive, free.won_within) == (1, 0, 0)


def test_won_within_90_days_stops_at_day_90(personas):
    q = QuestionFactory(text_ja="Q", text_en="Q", kind="price")
    asked = M0 - dt.timedelta(days=100)
    inside = won(personas.owner, asked + dt.timedelta(days=90), 1, asked)
    outside = won(personas.owner, asked + dt.timedelta(days=91), 1, asked)
    tc(inside, personas.owner, asked, "positive", q)
    tc(outside, personas.owner, asked, "positive", q)
    period = selectors.Period.months(add_months(M0, -6), this_month())
    (stat,) = selectors.question_stats(personas.owner, period)
    assert (stat.prospects, stat.won_within) == (2, 1)


def test_per_rep_and_month(personas, data):
    rows = {
        (r.user.username, r.month): r for r in selectors.rep_month_stats(personas.manager, data["period"])
    }
    assert set(rows) == {("owner", M0), ("owner", M1), ("teammate", M1)}
    r = rows[("owner", M0)]
    assert (r.test_closings, r.won, r.won_amount, r.lost, r.lost_amount) == (
        3,
        1,
        Decimal(1000000),
        1,
        Decimal(500000),
    )
    assert r.win_rate == Decimal("50.0") and r.lost_reasons["price"] == 1
    r = rows[("owner", M1)]
    assert (r.test_closings, r.won, r.won_amount, r.lost, r.win_rate) == (
        1,
        1,
        Decimal(2000000),
        0,
        Decimal("100.0"),
    )
    r = rows[("teammate", M1)]
    assert (r.test_closings, r.won, r.lost, r.lost_amount, r.win_rate) == (
        2,
        0,
        1,
        Decimal(300000),
        Decimal("0.0"),
    )
    assert r.lost_reasons["competitor"] == 1


def test_a_test_closing_late_in_the_evening_counts_in_its_tokyo_month(personas):
    p = ProspectFactory(owner=personas.owner)
    last_day = add_months(M1, 1) - dt.timedelta(days=1)
    tc(p, personas.owner, last_day, "positive", hour=23)
    rows = selectors.rep_month_stats(personas.owner, selectors.Period.months(M0, this_month()))
    assert [(r.month, r.test_closings) for r in rows] == [(M1, 1)]


def test_win_rate_by_source_and_average_days_to_won(personas, data):
    per_source, total = selectors.source_stats(personas.manager, data["period"])
    by = {s.source: s for s in per_source}
    assert (by["inbound"].won, by["inbound"].lost, by["inbound"].win_rate, by["inbound"].avg_days_to_won) == (
        1,
        1,
        Decimal("50.0"),
        Decimal("15.0"),
    )
    assert (by["referral"].won, by["referral"].lost, by["referral"].avg_days_to_won) == (
        1,
        1,
        Decimal("25.0"),
    )
    assert by["flyer"].win_rate is None and by["flyer"].avg_days_to_won is None
    assert (total.won, total.lost, total.win_rate, total.avg_days_to_won) == (
        2,
        2,
        Decimal("50.0"),
        Decimal("20.0"),
    )


def test_an_admin_sees_every_team_in_the_statistics(personas, data):
    _per_source, total = selectors.source_stats(personas.admin, data["period"])
    assert total.won == 3


def test_a_rep_sees_only_their_own_numbers(personas, data):
    _per_source, total = selectors.source_stats(personas.teammate, data["period"])
    assert (total.won, total.lost) == (0, 1)


def test_the_page_shows_the_numbers_and_the_definitions(personas, data, client):
    client.force_login(personas.manager)
    response = client.get(reverse("closing:statistics"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "¥1,000,000" in body and "66.7%" in body
    assert body.count('class="definition') == 3


def test_the_period_selector_narrows_the_numbers(personas, data, client):
    client.force_login(personas.manager)
    response = client.get(
        reverse("closing:statistics"), {"month_from": M1.strftime("%Y-%m"), "month_to": M1.strftime("%Y-%m")}
    )
    assert response.context["total"].won == 1  # only C


def test_a_bad_period_falls_back_to_the_default(personas, client):
    client.force_login(personas.manager)
    response = client.get(reverse("closing:statistics"), {"month_from": "garbage"})
    assert response.status_code == 200
    assert response.context["period"].first_month == add_months(this_month(), -11)


def test_the_statistics_page_costs_the_same_queries_whatever_the_data(personas, data, client):
    client.force_login(personas.manager)
    client.get(reverse("closing:statistics"))  # the first request also touches the session
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("closing:statistics"))
    for i in range(5):
        p = won(personas.teammate, M1 + dt.timedelta(days=i), 10, M1 - dt.timedelta(days=i))
        tc(p, personas.teammate, M1, "positive", data["q2"])
        lost(personas.owner, M0 + dt.timedelta(days=i), "no_budget", 5)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("closing:statistics"))
    assert len(large) == len(small)


def test_a_won_prospect_counts_in_its_months_won_total(personas, data):
    assert selectors.won_total(personas.manager, M0) == Decimal(1000000)
    assert selectors.won_total(personas.manager, M1) == Decimal(2000000)
    assert selectors.won_total(personas.admin, M1) == Decimal(9000000)
