"""The ledger (見込み増減表) with the statistics page's period control: an imported history from years
ago can be looked at; a bad period is a form error beside the fields, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from closing.forms import PeriodForm
from prospects.models import Source, Status
from salescrm.lib.months import add_months, this_month
from targets.scopes import user_key
from targets.selectors import cycle_ledger
from tests.conftest import make_prospect
from tests.targets.conftest import close

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


@pytest.fixture
def history(personas):
    """An imported 2016: one open from 2015, three new in March 2016 (one won in May, one lost in
    August), one new in 2017."""
    rep = personas.owner
    make_prospect(rep, created_at=at(dt.date(2015, 6, 1)), amount=100)
    march = [
        make_prospect(rep, created_at=at(dt.date(2016, 3, d)), source=Source.EXHIBITION, amount=1000)
        for d in (1, 2, 3)
    ]
    close(march[0], Status.WON, dt.date(2016, 5, 20))
    close(march[1], Status.LOST, dt.date(2016, 8, 2))
    make_prospect(rep, created_at=at(dt.date(2017, 1, 5)))
    return rep


def get(client, **params):
    return client.get(reverse("targets:health"), params)


def test_a_period_in_2016_shows_its_months_and_figures(personas, login, history):
    client = login(personas.owner)
    response = get(client, scope=f"user-{history.pk}", month_from="2016-01", month_to="2016-12")
    assert response.status_code == 200
    months = {m.month: m for m in response.context["ledger"].months}
    assert list(months) == [dt.date(2016, m, 1) for m in range(1, 13)]
    jan, mar, may, aug, dec = (months[dt.date(2016, m, 1)] for m in (1, 3, 5, 8, 12))
    assert (jan.opening, mar.new, mar.new_by_source, mar.closing) == (1, 3, {"exhibition": 3}, 4)
    assert (may.won, may.sales_won, may.closing) == (1, 1000, 3)
    assert (aug.lost, aug.closing, dec.closing) == (1, 2, 2)
    body = response.content.decode()
    assert 'value="2016-01"' in body and 'value="2016-12"' in body  # the control shows the period


def test_the_fragment_answers_with_the_period_too(personas, login, history):
    client = login(personas.owner)
    response = client.get(
        reverse("targets:health"), {"month_from": "2016-05", "month_to": "2016-06"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert [m.month for m in response.context["ledger"].months] == [dt.date(2016, 5, 1), dt.date(2016, 6, 1)]
    assert "<html" not in response.content.decode()


def test_without_a_period_it_is_the_last_six_months(personas, login):
    response = get(login(personas.owner))
    months = [m.month for m in response.context["ledger"].months]
    assert months == [add_months(this_month(), i) for i in range(-5, 1)]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"month_from": "garbage"}, "Enter a month as YYYY-MM"),
        (
            {"month_from": "2016-12", "month_to": "2016-01"},
            "The first month must not be after the last month.",
        ),
        ({"month_from": "2000-01", "month_to": "2016-01"}, "Choose a period of at most 120 months."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_period_is_a_form_error_not_a_500(personas, login, params, error, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = login(personas.owner).get(
        reverse("targets:health"), params, HTTP_ACCEPT_LANGUAGE="en", **headers
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert error in response.content.decode()
    assert len(response.context["ledger"].months) == 6  # the default period meanwhile


def test_the_statistics_page_and_the_ledger_share_one_period_control(personas, login):
    form = PeriodForm({"month_to": "2016-05"}, default_months=6)
    assert (form.period().first_month, form.period().last_month) == (
        dt.date(2015, 12, 1),
        dt.date(2016, 5, 1),
    )
    stats = login(personas.owner).get(reverse("closing:statistics")).content.decode()
    ledger = get(login(personas.owner)).content.decode()
    for body in (stats, ledger):
        assert 'name="month_from"' in body and 'name="month_to"' in body


def test_a_long_chart_labels_each_january_with_its_year(personas):
    year = cycle_ledger(user_key(personas.owner.pk), first=dt.date(2016, 1, 1), last=dt.date(2016, 12, 1))
    assert [b["tick"] for b in year.chart["bars"]] == list(range(1, 13))
    two = cycle_ledger(user_key(personas.owner.pk), first=dt.date(2016, 1, 1), last=dt.date(2017, 12, 1))
    assert [b["tick"] for b in two.chart["bars"]] == [2016, *[""] * 11, 2017, *[""] * 11]
