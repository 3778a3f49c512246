"""Markup lives in templates: no module of the pipeline app builds HTML in Python."""

import re
from pathlib import Path

import pipeline

TAGS = "a|p|b|i|br|div|span|small|strong|em|img|table|thead|tbody|tfoot|tr|td|th|caption|article|section|header|nav|h[1-6]|dl|dt|dd|ul|ol|li|form|input|select|option|label|button|textarea|noscript|script|style|svg"
HTML_IN_PYTHON = re.compile(rf"""["'][^"'\n]*<\s*/?\s*(?:{TAGS})(?:\s|>|/)""", re.IGNORECASE)
MARKUP_HELPERS = re.compile(r"\b(format_html|mark_safe|SafeString)\b")


def _modules():
    root = Path(pipeline.__file__).parent
    return [p for p in root.rglob("*.py") if "migrations" not in p.parts]


def test_no_pipeline_module_writes_html():
    offenders = []
    for path in _modules():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            # A template's output may be marked safe (the board cards' Jinja2 template autoescapes).
            template_output = "mark_safe(html)" in line or "SafeString" in line
            if HTML_IN_PYTHON.search(line) or (MARKUP_HELPERS.search(line) and not template_output):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []


def test_the_check_sees_an_f_string_card():
    assert HTML_IN_PYTHON.search("""f'<article class="card" id="card-{pk}">'""")
    assert HTML_IN_PYTHON.search('"</td>"')
    assert not HTML_IN_PYTHON.search('"amount x probability / 100"')
    assert not HTML_IN_PYTHON.search('"team-<id>"')
