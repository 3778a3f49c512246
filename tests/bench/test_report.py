"""The pass/fail rules of the benchmark report (pure functions, no database)."""

from __future__ import annotations

from bench.report import evaluate


def _page(name, p95, queries, available=True, error=""):
    return {
        "name": name,
        "persona": "rep",
        "method": "GET",
        "available": available,
        "error": error,
        "p95_ms": p95,
        "queries": queries,
    }


def _run(pages, size="M"):
    return {
        "size": size,
        "baseline": {"p95_ms": 10.0},
        "pages": pages,
        "throughput": {"available": False, "error": "skipped"},
        "target_check": {"available": False, "error": "not available yet", "rep_by_rep": {}},
        "import": {"available": False, "error": "not available yet"},
    }


def _result(rows, figure):
    return next(row["result"] for row in rows if row["figure"].startswith(figure))


def test_a_page_within_twice_the_baseline_with_the_same_queries_passes():
    rows = evaluate(_run([_page("list", 19.0, 6)]), {"list": 6}, "S")
    assert _result(rows, "p95 list") == "pass"
    assert _result(rows, "queries list") == "pass"


def test_a_page_slower_than_twice_the_baseline_fails():
    rows = evaluate(_run([_page("list", 21.0, 6)]), {"list": 6}, "S")
    assert _result(rows, "p95 list") == "FAIL"


def test_query_counts_that_grow_with_the_data_fail():
    rows = evaluate(_run([_page("list", 5.0, 7)]), {"list": 6}, "S")
    assert _result(rows, "queries list") == "FAIL"


def test_more_than_fifteen_queries_fail_even_when_constant():
    rows = evaluate(_run([_page("edit", 5.0, 16)]), {"edit": 16}, "S")
    assert _result(rows, "queries edit") == "FAIL"


def test_pages_not_merged_yet_are_not_failures():
    rows = evaluate(_run([_page("board", None, None, available=False, error="not available yet")]), {}, "S")
    assert _result(rows, "p95 board") == "n/a"


def test_a_fast_target_check_only_counts_at_l():
    run = _run([])
    run["target_check"] = {
        "available": True,
        "ms": 100.0,
        "queries": 4,
        "alerts_after": 10,
        "rep_by_rep": {"ms": 1000.0, "queries": 201},
    }
    assert _result(evaluate(run, {}, "S"), "pipeline target check") == "pass (target is at L)"
    run["size"] = "L"
    assert _result(evaluate(run, {}, "S"), "pipeline target check") == "pass"
    run["target_check"]["ms"] = 400.0
    assert _result(evaluate(run, {}, "S"), "pipeline target check") == "FAIL"


def test_a_check_timed_at_l_within_an_m_run_counts():
    run = _run([])
    run["size"] = "M"
    run["target_check_size"] = "L"
    run["target_check"] = {
        "available": True,
        "ms": 250.0,
        "queries": 3,
        "alerts_after": 10,
        "rep_by_rep": {"ms": 14000.0, "queries": 10001},
    }
    assert _result(evaluate(run, {}, "S"), "pipeline target check") == "pass"
    run["target_check_size"] = "M"
    assert _result(evaluate(run, {}, "S"), "pipeline target check") == "pass (target is at L)"


def _with_update(**update):
    run = _run([])
    run["import"] = {"available": True, "rows": 100, "rows_per_s": 5000, "peak_mb": 100.0}
    figures = {
        "rows": 100,
        "updated": 100,
        "unchanged_written": 0,
        "seconds": 3.0,
        "rows_per_s": 33,
        "unchanged_seconds": 1.0,
        "ratio_to_create": 1.5,
    }
    run["import"]["update"] = {**figures, **update}
    return evaluate(run, {}, "S")


def test_an_update_within_twice_the_create_that_updates_every_row_passes():
    assert _result(_with_update(), "re-import updating every row") == "pass"


def test_an_update_slower_than_twice_the_create_fails():
    assert _result(_with_update(ratio_to_create=2.5), "re-import updating every row") == "FAIL"


def test_an_unchanged_reimport_that_writes_rows_fails():
    assert _result(_with_update(unchanged_written=3), "re-import updating every row") == "FAIL"
    assert _result(_with_update(updated=90), "re-import updating every row") == "FAIL"


def test_an_update_that_failed_or_was_not_measured_fails():
    assert _result(_with_update(error="exited 1"), "re-import updating every row") == "FAIL"
    run = _run([])
    run["import"] = {"available": True, "rows": 100, "rows_per_s": 5000, "peak_mb": 100.0}
    assert _result(evaluate(run, {}, "S"), "re-import updating every row") == "FAIL"
