"""Django merges every app's catalogue into one per language: a msgid translated two ways in two
catalogues shows one of them everywhere (the ledger's closing balance read 「クロージング」). A message
whose meaning differs by place needs a context (pgettext / {% translate ... context ... %})."""

from collections import defaultdict
from pathlib import Path

import polib
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _catalogues() -> list[Path]:
    found = [BASE / "locale" / "ja" / "LC_MESSAGES" / "django.po"]
    found += sorted(BASE.glob("*/locale/ja/LC_MESSAGES/django.po"))
    return [path for path in found if path.exists()]


def _translations() -> dict[tuple[str, str], dict[str, list[str]]]:
    """(context, msgid) -> {translation: [catalogues that give it]}"""
    seen: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in _catalogues():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            text = " | ".join(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)) or entry.msgstr
            if text:
                seen[(entry.msgctxt or "", entry.msgid)][text].append(str(path.relative_to(BASE)))
    return seen


def test_the_catalogues_are_found():
    assert len(_catalogues()) >= 7


def test_no_message_is_translated_two_ways_in_two_catalogues():
    clashes = {
        f"{ctx + ' | ' if ctx else ''}{msgid}": dict(texts)
        for (ctx, msgid), texts in _translations().items()
        if len(texts) > 1
    }
    assert clashes == {}, "give each meaning its context (pgettext), or one translation"
