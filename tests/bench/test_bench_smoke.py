"""The benchmark harness in CI: it runs end to end at small sizes, and every available page runs the same
number of SQL queries on two data-set scales (XS: 100 prospects, S: 1,000). The full run is by hand."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from bench.measure import percentile

ROOT = Path(__file__).resolve().parents[2]


def test_percentile_is_nearest_rank():
    samples = [float(x) for x in range(1, 201)]
    assert percentile(samples, 50) == 100.0
    assert percentile(samples, 95) == 190.0
    assert percentile(samples, 99) == 198.0
    assert percentile([7.0], 99) == 7.0


def test_a_page_whose_url_does_not_exist_yet_is_reported_not_available():
    from bench.datagen import Dataset
    from bench.measure import measure_page
    from bench.pages import Page

    page = Page("future.page", "rep", lambda ds: reverse("future:page"))
    dataset = Dataset("XS", 1, "r", 2, "m", 3, "a", 1, 1, 2, 3, None)
    result = measure_page(page, dataset, clients=None, requests=1, warmup=0)  # never reaches a client
    assert not result.available
    assert result.error.startswith("not available yet")


def _own_prefix() -> str:
    """One database prefix per test database, so parallel checkouts sharing a server never collide."""
    test_db = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "default"
    return "salescrm_bench_smoke_" + re.sub(r"[^a-z0-9_]", "_", test_db.lower())[:30]


@pytest.mark.slow
def test_the_bench_runs_at_small_sizes_with_the_same_query_counts(tmp_path):
    results, docs = tmp_path / "results.json", tmp_path / "benchmarks.md"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [
        sys.executable, "-m", "bench", "--size", "S", "--compare-sizes", "--compare-size", "XS",
        "--skip-throughput", "--skip-import", "--requests", "5", "--warmup", "2",
        "--database", _own_prefix(), "--results", str(results), "--docs", str(docs),
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]

    run = json.loads(results.read_text())["sizes"]["S"]
    assert run["compare"]["size"] == "XS"
    available = {p["name"]: p for p in run["pages"] if p["available"]}
    assert {"home", "prospects.list", "prospects.detail"} <= set(available)
    # The heavy rep owns S's heavy_open open prospects (10,000 at M), and their list and board are measured.
    from bench.datagen import SIZES

    assert run["dataset"]["counts"]["heavy_rep_open_prospects"] == SIZES["S"].heavy_open
    assert {"prospects.list.heavy_rep", "pipeline.board.heavy_rep"} <= set(available)
    for name, page in available.items():
        assert not page["error"], (name, page["error"])
        assert page["p95_ms"] > 0 and page["status"] in (200, 302)
        assert page["queries"] == run["compare"]["queries"][name], name
    missing = [p for p in run["pages"] if not p["available"]]
    assert all(p["error"].startswith("not available yet") for p in missing)
    assert run["baseline"]["p95_ms"] > 0
    assert "## Targets" in docs.read_text()
