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


def test_the_replenishment_plan_reads_one_lead_and_two_leads():
    template = Template(
        "{% blocktranslate count leads=n with source=s %}About {{ leads }} new lead from {{ source }} would"
        " cover it.{% plural %}About {{ leads }} new leads from {{ source }} would cover it.{% endblocktranslate %}"
    )
    source = Path(BASE / "targets/templates/targets/_alert.html").read_text(encoding="utf-8")
    assert "{% blocktranslate count leads=plan.best.leads" in source  # the template says it the same way
    with translation.override("en"):
        assert template.render(Context({"n": 1, "s": "Referral"})).startswith("About 1 new lead from")
        assert template.render(Context({"n": 2, "s": "Referral"})).startswith("About 2 new leads from")
    with translation.override("ja"):
        assert template.render(Context({"n": 1, "s": "紹介"})) == "紹介から新規見込みを約1件獲得すれば補えます。"
