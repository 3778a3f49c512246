"""The bench's job helpers: peak memory of a child process, and the rep-by-rep comparison check."""

from __future__ import annotations

import os

from bench.jobs import _manage_peak, rep_by_rep_check
from targets.models import PipelineTarget
from tests.conftest import make_prospect


def test_a_child_command_reports_its_exit_code_and_peak_memory():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    rc, seconds, peak_mb, _ = _manage_peak(["check"], env)
    assert rc == 0
    assert seconds > 0
    assert 10 < peak_mb < 1000  # a Django process: tens of MB, read from the child's own rusage


def test_rep_by_rep_check_counts_one_query_per_rep_and_finds_the_short_ones(personas):
    PipelineTarget.objects.create(user=personas.owner, min_open=2)  # owns one open prospect
    PipelineTarget.objects.create(user=personas.teammate, min_open=0)
    make_prospect(personas.teammate)
    result = rep_by_rep_check()
    assert result["queries"] == 1 + 2
    assert result["reps_short"] == 1
