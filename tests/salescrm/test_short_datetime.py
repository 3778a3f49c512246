"""|short_datetime writes what Django's |date:"SHORT_DATETIME_FORMAT" writes, in every language."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation

from salescrm.templatetags.crm import format_short_datetime

VALUES = [
    dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC),  # 09:00 in Tokyo
    dt.datetime(2026, 12, 31, 14, 59, tzinfo=dt.UTC),  # 23:59 in Tokyo
    dt.datetime(2026, 6, 30, 15, 0, tzinfo=dt.UTC),  # midnight in Tokyo, the next day
    dt.datetime(2026, 3, 1, 3, 7, tzinfo=dt.UTC),  # noon and a bit
    None,
]


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "UTC"])
def test_the_fast_short_datetime_matches_djangos(language, zone):
    django_filter = Template('{{ v|date:"SHORT_DATETIME_FORMAT" }}')
    ours = Template("{{ v|short_datetime }}")
    with override_settings(TIME_ZONE=zone), timezone.override(zone), translation.override(language):
        for value in VALUES:
            expected = django_filter.render(Context({"v": value}))
            assert format_short_datetime(value) == expected
            assert ours.render(Context({"v": value})) == expected
