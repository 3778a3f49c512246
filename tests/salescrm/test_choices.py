"""get_FOO_display() of a model with ChoiceLabels: the field's own labels, in the active language, each
translated once per language rather than on every call."""

from __future__ import annotations

import pytest
from django.utils import translation

from prospects.models import Horizon, Prospect, Source
from salescrm.lib.choices import _labels

pytestmark = pytest.mark.django_db


def test_the_label_is_the_fields_own_in_the_active_language(personas):
    prospect = Prospect(horizon=Horizon.SHORT, source=Source.REFERRAL)
    for language in ("ja", "en"):
        with translation.override(language):
            assert prospect.get_horizon_display() == str(Horizon.SHORT.label)
            assert prospect.get_source_display() == str(Source.REFERRAL.label)
    with translation.override("ja"):
        japanese = prospect.get_horizon_display()
    with translation.override("en"):
        assert prospect.get_horizon_display() != japanese


def test_a_value_outside_the_choices_is_shown_as_it_is():
    assert Prospect(horizon="someday").get_horizon_display() == "someday"


def test_a_page_of_rows_translates_each_label_once(personas):
    rows = [Prospect(source=source) for source in Source.values * 20]
    _labels.cache_clear()
    with translation.override("ja"):
        shown = [row.get_source_display() for row in rows]
    assert shown == [str(Source(row.source).label) for row in rows]
    info = _labels.cache_info()
    assert info.misses == 1 and info.hits == len(rows) - 1
