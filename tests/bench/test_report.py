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
