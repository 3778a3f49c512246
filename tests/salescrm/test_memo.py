"""{% memo %}: the page frame's language- and role-only markup, rendered once per process and value."""

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings

from salescrm.templatetags import memo


@pytest.fixture(autouse=True)
def empty_memo():
    memo.clear()
    yield
    memo.clear()


TEMPLATE = Template('{% memo "greeting" lang %}{{ word }} {{ lang }}{% endmemo %}|{{ word }}')


def test_the_markup_is_rendered_once_for_each_value_of_its_vary():
    assert TEMPLATE.render(Context({"lang": "ja", "word": "first"})) == "first ja|first"
    # The same value: the memo answers, whatever else changed; what is outside it is rendered anew.
    assert TEMPLATE.render(Context({"lang": "ja", "word": "second"})) == "first ja|second"
    assert TEMPLATE.render(Context({"lang": "en", "word": "third"})) == "third en|third"


@override_settings(DEBUG=True)
def test_with_debug_on_every_render_is_fresh():
    assert TEMPLATE.render(Context({"lang": "ja", "word": "first"})) == "first ja|first"
    assert TEMPLATE.render(Context({"lang": "ja", "word": "second"})) == "second ja|second"


def test_a_changed_setting_empties_it():
    TEMPLATE.render(Context({"lang": "ja", "word": "first"}))
    with override_settings(LANGUAGE_CODE="en"):
        assert TEMPLATE.render(Context({"lang": "ja", "word": "second"})) == "second ja|second"


def test_it_stays_bounded(monkeypatch):
    monkeypatch.setattr(memo, "MAX_ENTRIES", 3)
    for n in range(10):
        TEMPLATE.render(Context({"lang": f"l{n}", "word": "w"}))
        assert len(memo._memo) <= 3
    assert TEMPLATE.render(Context({"lang": "l9", "word": "again"})) == "w l9|again"


def test_it_needs_a_name():
    with pytest.raises(TemplateSyntaxError, match="needs a name"):
        Template("{% memo %}x{% endmemo %}")
