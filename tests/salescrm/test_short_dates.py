"""Short dates are Django's own SHORT_DATE_FORMAT / SHORT_DATETIME_FORMAT: 2026/12/04 in Japanese,
12/04/2026 in English, in Tokyo time; the Python helpers say the same as the template filter."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from salescrm.templatetags.crm import format_short_date, format_short_datetime
from tests.conftest import make_prospect

AT = dt.datetime(2026, 12, 3, 15, 5, tzinfo=dt.UTC)  # 00:05 on Dec 4 in Tokyo


@pytest.mark.parametrize(
    "language,date,datetime",
    [("ja", "2026/12/04", "2026/12/04 0:05"), ("en", "12/04/2026", "12/04/2026 12:05 a.m.")],
)
def test_short_dates_in_each_language(language, date, datetime):
    template = Template('{{ d|date:"SHORT_DATE_FORMAT" }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"d": dt.date(2026, 12, 4), "t": AT})) == f"{date}|{datetime}"
        assert (format_short_date(AT), format_short_datetime(AT)) == (date, datetime)
        assert format_short_date(None) == format_short_datetime(None) == ""


@pytest.mark.django_db
def test_a_japanese_page_shows_the_short_japanese_date(personas, client):
    prospect = make_prospect(personas.owner, next_activity="call", next_activity_on=dt.date(2026, 12, 4))
    # Since the activities section, the next action shows as the planned activity's (all-day) date.
    client.force_login(personas.owner)
    client.cookies["django_language"] = "ja"
    page = client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()
    assert "2026/12/04</span>" in page
