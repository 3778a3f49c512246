"""Comments say why; measurements live in docs/performance.md (STYLE.md 21): no comment or docstring
in the app code quotes a timing ("32 ms", "0.7 ms", "120 µs", "1.5 s at M"). A comment may point to
docs/performance.md instead. Migrations are not read (history, not code a reader maintains)."""

from __future__ import annotations

import re

from tests.architecture._source import app_modules, listing

TIMING = re.compile(r"\d+(?:[.,]\d+)?\s*(?:ms|µs|us|ns|msec|seconds?|secs?|s)\b", re.IGNORECASE)
# A duration in a settings comment ("every 30 s", "timeout of 1 s") is configuration, not a measurement;
# those say what a value is, so only the benchmark words make "s" a measurement.
SECONDS_ONLY = re.compile(r"\d+(?:[.,]\d+)?\s*(?:seconds?|secs?|s)\b", re.IGNORECASE)
MEASURED = re.compile(r"\b(?:at [SML]\b|p50|p95|p99|took|measured|faster|slower|bench)", re.IGNORECASE)


def quotes_a_measurement(text: str) -> bool:
    for match in TIMING.finditer(text):
        if not SECONDS_ONLY.fullmatch(match.group()) or MEASURED.search(text):
            return True
    return False


def test_the_pattern_finds_timings_and_leaves_durations_and_counts_alone():
    assert quotes_a_measurement("# 32 ms at M; 0.7 ms with it")
    assert quotes_a_measurement("reading 120µs per row")
    assert quotes_a_measurement("# the check took 1.5 s at L")
    assert not quotes_a_measurement("# one-second socket timeouts, retried every 30 s")
    assert not quotes_a_measurement("# 25 rows a page, 10 cards a column")
    assert not quotes_a_measurement("# terms of 3 months")


def test_no_comment_quotes_a_benchmark_measurement():
    places = []
    for module in app_modules():
        texts = [*module.comments(), *module.docstrings()]
        for line, text in sorted(texts):
            for part_no, part in enumerate(text.splitlines()):
                if quotes_a_measurement(part):
                    places.append(f"{module.name}:{line + part_no}: {part.strip()[:80]}")
    assert not places, (
        f"{len(places)} comment line(s) quote a measurement; keep the figure in docs/performance.md and"
        f" let the comment say why (it may point there):{listing(places)}"
    )
