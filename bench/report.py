"""Pass/fail against the targets of the benchmarks issue, bench/results.json and docs/benchmarks.md."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

MAX_P95_RATIO = 2.0
MAX_QUERIES = 15
MIN_BOARD_THROUGHPUT_RATIO = 0.5
MAX_CHECK_MS = 300
MIN_CHECK_SPEEDUP = 5
MIN_IMPORT_ROWS_PER_S = 2000
MAX_IMPORT_PEAK_MB = 300
# Re-importing with "update existing" (every row changed) within this many times the create (#20).
MAX_UPDATE_RATIO = 2.0
MAX_WORKER_RSS_MB = 200


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "ram_gb": ram_gb, "cpu": cpu, "python": platform.python_version()}


def git_commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return sha + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _row(figure, value, baseline, ratio, target, result) -> dict[str, Any]:
    return {
        "figure": figure,
        "value": value,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "result": result,
    }


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def evaluate(run: dict[str, Any], other_queries: dict[str, int], other_size: str | None) -> list[dict]:
    rows: list[dict] = []
    base = run["baseline"]
    base_p95 = base.get("p95_ms")
    for page in run["pages"]:
        label = f"{page['name']} ({page['persona']}, {page['method']})"
        if not page["available"]:
            rows.append(_row(f"p95 {label}", "not available yet", "", "", "", "n/a"))
            continue
        if page["error"]:
            rows.append(_row(f"p95 {label}", page["error"][:80], "", "", "", "FAIL"))
            continue
        ratio = round(page["p95_ms"] / base_p95, 2) if base_p95 else None
        rows.append(
            _row(
                f"p95 {label}",
                f"{page['p95_ms']} ms",
                f"{base_p95} ms",
                ratio,
                f"≤ {MAX_P95_RATIO}x baseline (at M)",
                _verdict(ratio is not None and ratio <= MAX_P95_RATIO),
            )
        )
        other = other_queries.get(page["name"])
        same = other is None or other == page["queries"]
        rows.append(
            _row(
                f"queries {label}",
                page["queries"],
                f"{other} at {other_size}"
                if other is not None
                else f"no {other_size or 'other-size'} figure",
                "",
                f"≤ {MAX_QUERIES}, same at every size",
                _verdict(page["queries"] <= MAX_QUERIES and same),
            )
        )

    tp = run.get("throughput") or {}
    if tp.get("available"):
        base_runs = {r["connections"]: r for r in tp["pages"].get("baseline", {}).get("runs", [])}
        board = tp["pages"].get("rep board", {})
        if "runs" in board and 8 in base_runs:
            at8 = next(r for r in board["runs"] if r["connections"] == 8)
            ratio = round(at8["rps"] / base_runs[8]["rps"], 2) if base_runs[8]["rps"] else None
            rows.append(
                _row(
                    f"throughput rep board, 8 connections ({board['path']})",
                    f"{at8['rps']} req/s",
                    f"{base_runs[8]['rps']} req/s",
                    ratio,
                    f"≥ {MIN_BOARD_THROUGHPUT_RATIO}x baseline",
                    _verdict(
                        ratio is not None and ratio >= MIN_BOARD_THROUGHPUT_RATIO and at8["errors"] == 0
                    ),
                )
            )
        else:
            rows.append(
                _row("throughput rep board, 8 connections", board.get("error", "n/a"), "", "", "", "n/a")
            )
        rss = tp.get("worker_rss_mb") or []
        rows.append(
            _row(
                "web worker RSS after the load (max)",
                f"{max(rss)} MB" if rss else "n/a",
                "",
                "",
                f"< {MAX_WORKER_RSS_MB} MB per worker",
                _verdict(bool(rss) and max(rss) < MAX_WORKER_RSS_MB),
            )
        )
    else:
        rows.append(_row("throughput", tp.get("error", "skipped"), "", "", "", "n/a"))

    check = run.get("target_check") or {}
    naive = check.get("rep_by_rep", {})
    if check.get("available"):
        speedup = round(naive["ms"] / check["ms"], 1) if check["ms"] else None
        at_l = run.get("target_check_size", run["size"]) == "L"
        ok = check["ms"] < MAX_CHECK_MS and speedup is not None and speedup >= MIN_CHECK_SPEEDUP
        rows.append(
            _row(
                f"pipeline target check with its alerts written: median of the runs that each open "
                f"{check.get('churn', '?')} alerts and resolve as many ({check['queries']} queries; with nothing "
                f"to write {check.get('idle_ms', '?')} ms; the first run after the day's rollup, which rebuilds "
                f"every plan and opens {check.get('first_opened', '?')}, {check.get('first_ms', '?')} ms)",
                f"{check['ms']} ms",
                f"{naive['ms']} ms rep by rep ({naive['queries']} queries)",
                f"{speedup}x faster" if speedup else "",
                f"< {MAX_CHECK_MS} ms and ≥ {MIN_CHECK_SPEEDUP}x faster (at L)",
                _verdict(ok) if at_l else f"{_verdict(ok).lower()} (target is at L)",
            )
        )
    else:
        rows.append(
            _row(
                "pipeline target check",
                check.get("error", "skipped"),
                f"{naive.get('ms')} ms rep by rep ({naive.get('queries')} queries)" if naive else "",
                "",
                f"< {MAX_CHECK_MS} ms and ≥ {MIN_CHECK_SPEEDUP}x faster (at L)",
                "n/a",
            )
        )

    imp = run.get("import") or {}
    if imp.get("available") and not imp.get("error"):
        ok = (imp["rows_per_s"] or 0) >= MIN_IMPORT_ROWS_PER_S and imp["peak_mb"] < MAX_IMPORT_PEAK_MB
        rows.append(
            _row(
                f"import of a {imp['rows']:,}-row CSV",
                f"{imp['rows_per_s']} rows/s, peak {imp['peak_mb']} MB",
                "",
                "",
                f"≥ {MIN_IMPORT_ROWS_PER_S} rows/s, peak < {MAX_IMPORT_PEAK_MB} MB",
                _verdict(ok),
            )
        )
        rows.append(_update_row(imp.get("update") or {"error": "not measured"}))
    else:
        rows.append(
            _row(
                "CSV import",
                imp.get("error", "skipped"),
                "",
                "",
                "",
                "FAIL" if imp.get("available") else "n/a",
            )
        )
    return rows


def _update_row(update: dict[str, Any]) -> dict[str, Any]:
    """The re-import of the same rows, each changed, with "update existing", against their create."""
    if update.get("error") or update.get("ratio_to_create") is None:
        return _row("re-import updating every row", update.get("error", "n/a"), "", "", "", "FAIL")
    ok = update["ratio_to_create"] <= MAX_UPDATE_RATIO and update["updated"] == update["rows"]
    ok = ok and update["unchanged_written"] == 0
    return _row(
        f"re-import updating every row of {update['rows']:,}",
        f"{update['seconds']} s, {update['rows_per_s']} rows/s ({update['updated']:,} updated); "
        f"unchanged re-import {update['unchanged_seconds']} s, {update['unchanged_written']} written",
        "",
        f"{update['ratio_to_create']}x the create",
        f"≤ {MAX_UPDATE_RATIO:g}x the create, every row updated, none by the unchanged re-import",
        _verdict(ok),
    )


def write_results(path: Path, run: dict[str, Any]) -> None:
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text())
        except ValueError:
            data = {}
    data.setdefault("sizes", {})[run["size"]] = run
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def stored_queries(path: Path, size: str) -> dict[str, int]:
    if not path.exists():
        return {}
    try:
        run = json.loads(path.read_text()).get("sizes", {}).get(size)
    except ValueError:
        return {}
    if not run:
        return {}
    return {p["name"]: p["queries"] for p in run["pages"] if p.get("queries") is not None and not p["error"]}


def _cell(value: Any) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def write_docs(path: Path, run: dict[str, Any]) -> None:
    m = run["machine"]
    ds = run["dataset"]
    base = run["baseline"]
    parts = [
        "# Benchmarks",
        "",
        "Generated by `bin/bench` (do not edit by hand; re-run it). Every figure is an absolute value and a "
        "ratio to a baseline measured in the same run, because numbers on a shared 2-core machine drift "
        "from run to run.",
        "",
        f"- **Size {run['size']}**, run on {run['date']} at commit `{run['commit']}`",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"PostgreSQL {run.get('postgres', '?')}",
        "- Load average (1, 5, 15 min) at the start / end of the run: "
        + " / ".join(", ".join(str(x) for x in v) for v in run.get("load_average", {}).values())
        + " (other work on the machine shows here; the ratios are what to compare)",
        f"- Requests per page: {run['requests']} timed (after {run['warmup']} warm-up requests)",
        "",
        "## Targets",
        "",
        _table(
            ["figure", "value", "baseline", "ratio", "target", "result"],
            [
                [r["figure"], r["value"], r["baseline"], r["ratio"], r["target"], r["result"]]
                for r in run["targets"]
            ],
        ),
        "",
        "## Pages (server time in-process, django.test.Client, full middleware stack)",
        "",
        f"Baseline: {base['url']} — p50 {base['p50_ms']} ms, p95 {base['p95_ms']} ms, p99 {base['p99_ms']} ms, "
        f"{base['queries']} queries, {base['bytes']} bytes (50 rows from one indexed query, a small template).",
        "",
        _table(
            ["page", "persona", "method", "p50 ms", "p95 ms", "p99 ms", "p95 / baseline", "queries", "bytes"],
            [
                [
                    p["name"],
                    p["persona"],
                    p["method"],
                    p["p50_ms"],
                    p["p95_ms"],
                    p["p99_ms"],
                    round(p["p95_ms"] / base["p95_ms"], 2) if p["p95_ms"] and base["p95_ms"] else "",
                    p["queries"],
                    p["bytes"],
                ]
                if p["available"] and not p["error"]
                else [p["name"], p["persona"], p["method"], p["error"], "", "", "", "", ""]
                for p in run["pages"]
            ],
        ),
        "",
        "## Throughput (gunicorn + wrk over loopback)",
        "",
    ]
    tp = run.get("throughput") or {}
    if tp.get("available"):
        base_rps = {r["connections"]: r["rps"] for r in tp["pages"].get("baseline", {}).get("runs", [])}
        rows = []
        for label, page in tp["pages"].items():
            if "runs" not in page:
                rows.append([label, page.get("path", ""), page.get("error", ""), "", "", "", "", "", ""])
                continue
            for r in page["runs"]:
                ratio = (
                    round(r["rps"] / base_rps[r["connections"]], 2) if base_rps.get(r["connections"]) else ""
                )
                rows.append(
                    [
                        label,
                        page["path"],
                        r["connections"],
                        r["rps"],
                        ratio,
                        r["p50_ms"],
                        r["p95_ms"],
                        r["p99_ms"],
                        r["errors"],
                    ]
                )
        parts += [
            f"{tp['workers']} gunicorn workers (salescrm/gunicorn.conf.py, production settings), "
            f"{tp['seconds']} s per run, sessions from a real login POST. p95 comes from wrk's latency "
            "histogram through bench/wrk_report.lua. Errors are non-2xx/3xx responses plus socket errors.",
            "",
            _table(
                [
                    "page",
                    "path",
                    "connections",
                    "req/s",
                    "req/s / baseline",
                    "p50 ms",
                    "p95 ms",
                    "p99 ms",
                    "errors",
                ],
                rows,
            ),
            "",
            f"Worker RSS after the load: {', '.join(f'{x} MB' for x in tp.get('worker_rss_mb', []))}.",
        ]
    else:
        parts.append(tp.get("error", "Skipped (--skip-throughput)."))
    check = run.get("target_check") or {}
    imp = run.get("import") or {}
    parts += [
        "",
        "## Jobs",
        "",
        f"- Pipeline target check (size {run.get('target_check_size', run['size'])}): "
        f"{check.get('ms', check.get('error', 'skipped'))}"
        + (
            f" ms, {check['queries']} queries: the median of the runs {check.get('warm_runs_ms')}, each of"
            f" which opens {check.get('churn')} alerts and resolves as many (a raised and a restored"
            f" group of rep targets; the runs: {json.dumps(check.get('churn_runs'))}). With nothing to"
            f" write: {check.get('idle_ms')} ms ({check.get('idle_runs_ms')}, {check.get('idle_queries')}"
            f" queries). The first run after the day's rollup, which rebuilds every plan and opens"
            f" {check.get('first_opened')} alerts (all of them on a fresh data set): {check.get('first_ms')} ms;"
            f" the rollup before it: {check.get('rollup_ms')} ms"
            if check.get("available")
            else ""
        )
        + (
            f"; rep by rep (one count query per rep): {check['rep_by_rep']['ms']} ms, "
            f"{check['rep_by_rep']['queries']} queries, {check['rep_by_rep']['reps_short']} reps short"
            if check.get("rep_by_rep")
            else ""
        ),
        f"- CSV import: {json.dumps(imp, ensure_ascii=False) if imp.get('available') else imp.get('error', 'skipped')}",
        "  The file has a stage column that sets status and horizon through a saved mapping's value table "
        '(one column, two fields). `update`: the same file imported again with "update existing" '
        "(`unchanged_seconds`, nothing to write), then a copy with every row's probability changed and a "
        "tenth of the stages (`seconds`, `ratio_to_create`).",
        "",
        "## Data set",
        "",
        f"{json.dumps(ds['counts'], ensure_ascii=False)}; "
        + ("re-used from an earlier run" if ds["reused"] else f"generated in {ds['generated_seconds']} s")
        + f" in its own database `{run['database']}`.",
        "",
        "## How it works",
        "",
        "- `bin/bench [--size XS|S|M|L] [--requests N] [--skip-throughput] [--skip-import] [--compare-sizes] "
        "[--check-size L] [--only PAGE,...]` (`make bench` runs `--size M --compare-sizes --check-size L`). It uses the PostgreSQL server of DATABASE_URL (else 127.0.0.1:5432, else an "
        "embedded one) but always its own database `salescrm_bench_<size>`, never the dev or test one.",
        "- The data set is loaded with COPY (psycopg 3) for prospects, test closings, activities, companies and "
        "contacts (realistic Japanese names, furigana, legal forms and phones in their variants, every prospect "
        "linked to one; `bench/directory_data.py`) and bulk_create for "
        "users, teams and targets; a marker row (`bench_dataset`) lets a re-run at the same size re-use it. "
        "During the bulk load the user triggers are disabled (`ALTER TABLE ... DISABLE TRIGGER USER` on "
        "prospects, test closings and targets: pghistory's and the open-count triggers) and re-enabled right "
        "after; the open counts are then rebuilt from one grouped count. Generated rows have no creation "
        "event. Foreign keys and CHECK constraints stay on. VACUUM ANALYZE runs after the load (the visibility "
        "map that index-only scans need, as autovacuum would set it).",
        "- What was changed to meet the targets, and why: [performance.md](performance.md).",
        "- The measured pages are registered in `bench/pages.py`; an entry whose URL name does not resolve "
        'yet is listed as "not available yet". Server time is the whole `client.get`/`client.post` through '
        "the middleware; SQL queries are counted on one extra request; POST data (e.g. the prospect's "
        "version) is rebuilt before every request, outside the timing. Pages are timed in rounds (one "
        "request to each page, the baseline included, per round) so that the drift of a shared machine "
        "hits them alike; under wrk, each connection level loads every page back to back.",
        "- The baseline (`bench/baseline.py`, mounted only by `bench/settings.py`) renders 50 rows of one "
        "rep's prospects from one indexed query with a small template, through the same middleware.",
        "- Query counts are compared with the other size stored in `bench/results.json` (S for M; "
        "`--compare-sizes` measures it first in the same run).",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts))
