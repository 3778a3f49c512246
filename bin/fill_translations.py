"""Fill empty msgstr entries of a .po file from a Python dict file (JA = {...}, PLURALS = {...}).

    .venv/bin/python bin/fill_translations.py TRANSLATIONS.py APP/locale/ja/LC_MESSAGES/django.po ...

A key may be (context, msgid) for a pgettext message. REPLACE = {...} (a list for a plural) rewrites a
translation that is already there: one wording chosen on purpose for a message several catalogues
hold (tests/salescrm/test_catalogues.py fails on two). Prints the msgids still untranslated, so nothing
is left in English by accident. bin/translate runs it under a lock, between makemessages and compile.
"""

import runpy
import sys

import polib


def main() -> int:
    table = runpy.run_path(sys.argv[1])
    ja, plurals, replace = table.get("JA", {}), table.get("PLURALS", {}), table.get("REPLACE", {})
    missing = 0
    for path in sys.argv[2:]:
        po = polib.pofile(path)
        for entry in po:
            if entry.obsolete:
                continue
            fuzzy = "fuzzy" in entry.flags  # makemessages' guess: replace it when the table has the word
            # A message with a context (pgettext) is looked up as (context, msgid) first.
            key = (entry.msgctxt, entry.msgid) if entry.msgctxt else entry.msgid
            if key in replace:  # by its exact key only: a context's wording is its own
                if entry.msgid_plural:
                    entry.msgstr_plural = dict(enumerate(replace[key]))
                else:
                    entry.msgstr = replace[key]
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
            if key not in ja and key not in plurals:
                key = entry.msgid
            if entry.msgid_plural:
                if key in plurals and (fuzzy or not any(entry.msgstr_plural.values())):
                    entry.msgstr_plural = dict(enumerate(plurals[key]))
                    entry.flags = [f for f in entry.flags if f != "fuzzy"]
            elif key in ja and (fuzzy or not entry.msgstr):
                entry.msgstr = ja[key]
                entry.flags = [f for f in entry.flags if f != "fuzzy"]
            if "fuzzy" in entry.flags:
                missing += 1
                print(f"{path}: fuzzy (check it, then remove the flag): {entry.msgid!r}")
                continue
            if not (entry.msgstr or any(entry.msgstr_plural.values())):
                missing += 1
                print(f"{path}: untranslated: {entry.msgid!r}")
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        po.metadata["Language"] = "ja"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save(path)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
