"""The check that fails a browser test when a Japanese page still shows English UI text."""

from __future__ import annotations

import pytest

from tests.browser import support

pytestmark = pytest.mark.browser

PO = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

msgid "Add prospect"
msgstr "見込み客を追加"

msgid "Not yet translated text"
msgstr ""

msgid "OK"
msgstr "了解"

msgid "salescrm brand"
msgstr "salescrm brand"

msgid "Prospect “%(name)s” was added."
msgstr "見込み客「%(name)s」を追加しました。"

msgid "%(counter)s prospect"
msgid_plural "%(counter)s prospects"
msgstr[0] "%(counter)s 件"

#~ msgid "Obsolete string here"
#~ msgstr "廃止"
"""


@pytest.fixture
def patterns(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(PO, encoding="utf-8")
    return support.english_ui_patterns((po,))


def test_translated_and_untranslated_msgids_left_in_the_page_are_reported(patterns):
    text = "見込み客\nAdd prospect\nここに Not yet   translated text があります"
    assert support.english_in(text, patterns) == ["Add prospect", "Not yet translated text"]


def test_placeholders_match_any_value_and_plural_forms_count(patterns):
    assert support.english_in("Prospect “山田工務店” was added.", patterns) == [
        "Prospect “%(name)s” was added."
    ]
    assert support.english_in("12 prospects", patterns) == ["%(counter)s prospects"]


def test_short_words_loan_words_obsolete_entries_and_japanese_text_are_not_reported(patterns):
    text = "OK salescrm brand Obsolete string here 見込み客を追加 Add prospects 12 件"
    assert support.english_in(text, patterns) == []


def test_a_word_inside_a_longer_word_is_not_a_match(patterns):
    assert support.english_in("Readd prospectus", patterns) == []


def test_the_page_check_ignores_english_pages_and_lists_each_japanese_page_with_english(
    monkeypatch, patterns
):
    monkeypatch.setattr(support, "english_ui_patterns", lambda: patterns)
    check = support.JapanesePageCheck()
    check.record("http://x/en", "en", "Add prospect")
    check.record("http://x/ja", "ja", "Add prospect")
    check.record("http://x/ja", "ja", "Add prospect")  # the same page reported twice counts once
    assert check.pages_checked == 1
    assert "http://x/ja" in check.summary() and "'Add prospect'" in check.summary()


def test_the_real_catalogues_are_read():
    files = support.catalogue_files()
    assert support.ROOT / "locale/ja/LC_MESSAGES/django.po" in files
    assert support.ROOT / "prospects/locale/ja/LC_MESSAGES/django.po" in files
    msgids = {msgid for msgid, _ in support.english_ui_patterns()}
    assert "Add prospect" in msgids
