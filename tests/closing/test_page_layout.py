"""The statistics page leads with the per-question table; the waiting page writes ages in one unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from prospects.models import Horizon
from salescrm.templatetags.crm import format_short_age
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 12, 4, 12, 0))


def test_statistics_page_shows_the_per_question_table_first(personas, client):
    client.force_login(personas.admin)
    html = client.get(reverse("closing:statistics")).content.decode()
    sections = [html.index(f'<section id="{s}">') for s in ("by-question", "by-source", "by-rep")]
    assert sections == sorted(sections)


@pytest.mark.parametrize(
    "days,ja,en",
    [
        (0, "0日", "0 d"),
        (5, "5日", "5 d"),
        (13, "13日", "13 d"),
        (21, "3週間", "3 wk"),
        (60, "8週間", "8 wk"),
        (75, "2ヶ月", "2 mo"),
        (325, "10ヶ月", "10 mo"),
        (800, "2年", "2 yr"),
    ],
)
def test_an_age_is_written_in_one_short_unit_in_both_languages(days, ja, en):
    when = NOW - dt.timedelta(days=days)
    with translation.override("ja"):
        assert format_short_age(when, now=NOW) == ja
    with translation.override("en"):
        assert format_short_age(when, now=NOW) == en


def test_waiting_page_writes_one_unit_not_two(personas, client):
    make_prospect(personas.owner, horizon=Horizon.LONG, created_at=timezone.now() - dt.timedelta(days=325))
    client.force_login(personas.owner)
    ja = client.get(reverse("closing:waiting"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "10ヶ月</td>" in ja and "週間" not in ja
    client.cookies["django_language"] = "en"
    en = client.get(reverse("closing:waiting")).content.decode()
    assert "10 mo</td>" in en and "week" not in en
