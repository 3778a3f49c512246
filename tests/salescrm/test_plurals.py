"""English counts agree with their noun ("About 1 new lead", not "About 1 new leads"): every message
that puts a number before a countable noun is a plural message (ngettext / blocktranslate count)."""

import re
from pathlib import Path

import polib
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

BASE = Path(settings.BASE_DIR)
NOUNS = "prospects|leads|days|rows|times|cards|alerts|questions|months|weeks|deals|reps|errors|hours|minutes"
# A number (a placeholder) right before a plural noun, maybe with an adjective between.
COUNTED = re.compile(rf"%\(\w+\)[sd] (?:\w+ )?(?:{NOUNS})\b")


def test_no_singular_message_counts_a_plural_noun():
    found = []
    for path in [BASE / "locale/ja/LC_MESSAGES/django.po", *BASE.glob("*/locale/ja/LC_MESSAGES/django.po")]:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and not entry.msgid_plural and COUNTED.search(entry.msgid):
                found.append(f"{path.relative_to(BASE)}: {entry.msgid}")
    assert found == []


def test_the_replenishment_plan_reads_one_session_and_two_sessions():
    # The plan is counted in lead activities (activities/_plan_line.html); no "best source" line.
    template = Template(
        "{% blocktranslate count n=n %}about {{ n }} door-to-door session{% plural %}about {{ n }}"
        " door-to-door sessions{% endblocktranslate %}"
    )
    source = Path(BASE / "activities/templates/activities/_plan_line.html").read_text(encoding="utf-8")
    assert "{% blocktranslate count n=line.units %}about {{ n }} door-to-door session{% plural %}" in source
    assert "plan.best" not in Path(BASE / "targets/templates/targets/_alert.html").read_text(encoding="utf-8")
    with translation.override("en"):
        assert template.render(Context({"n": 1})) == "about 1 door-to-door session"
        assert template.render(Context({"n": 2})) == "about 2 door-to-door sessions"
    with translation.override("ja"):
        assert template.render(Context({"n": 1})) == "飛び込み約1回"
