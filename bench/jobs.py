"""The background jobs: the pipeline target check (against a rep-by-rep loop written here) and the CSV
import (gen_import_csv + import_prospects, run as child processes for their peak memory): the rows
created, then re-imported with "update existing" unchanged and with changed cells."""

from __future__ import annotations

import csv
import inspect
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from bench.datagen import TRIGGER_TABLES, Dataset

ROOT = Path(__file__).resolve().parent.parent


class _QueryCount:
    """Counts the queries run inside it. (CaptureQueriesContext reads a query log capped at 9,000
    entries: it said 9,000 for the rep-by-rep loop's 10,001 queries and then 0 for the check.)"""

    n = 0

    def __enter__(self) -> _QueryCount:
        self._wrapper = connection.execute_wrapper(self._count)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._wrapper.__exit__(*exc)

    def _count(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def rep_by_rep_check() -> dict[str, Any]:
    """The naive target check: one count query per rep with a target. The comparison for the real one."""
    from prospects.models import Prospect
    from targets.models import PipelineTarget

    started = time.perf_counter()
    short = 0
    with _QueryCount() as ctx:
        for target in PipelineTarget.objects.filter(user__isnull=False).only(
            "user_id", "min_open", "min_short", "min_mid", "min_long"
        ):
            counts = dict(
                Prospect.objects.filter(owner_id=target.user_id, status="open")
                .order_by()
                .values_list("horizon")
                .annotate(n=Count("id"))
            )
            total = sum(counts.values())
            wants = {"short": target.min_short, "mid": target.min_mid, "long": target.min_long}
            if (target.min_open or 0) > total or any((m or 0) > counts.get(h, 0) for h, m in wants.items()):
                short += 1
    return {
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "queries": ctx.n,
        "reps_short": short,
    }


WARM_RUNS = 5
# Each timed run after the first opens this many alerts and resolves as many: before it, the targets
# of CHURN reps whose pipeline is full are raised above their count (a new alert each, with its plan)
# and the previous run's raised targets are put back (their alerts resolve). A half hour at a busy
# company; the issue asks for the check with its alerts written and 1,000 new alerts batched.
CHURN = 1000
CHURN_RAISE = 1000  # added to min_open: far above any rep's count


def _churn_groups() -> list[list[int]]:
    """Two groups of CHURN rep targets with no open alert (met today), raised in turn."""
    from targets.models import PipelineAlert, PipelineTarget

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {PipelineTarget._meta.db_table} t WHERE t.user_id IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {PipelineAlert._meta.db_table} a WHERE a.user_id = t.user_id AND a.resolved_at IS NULL) "
            "ORDER BY t.id LIMIT %s",
            [2 * CHURN],
        )
        ids = [row[0] for row in cursor.fetchall()]
    return [ids[:CHURN], ids[CHURN:]]


def _raise_targets(ids: list[int], by: int) -> None:
    from targets.models import PipelineTarget

    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {PipelineTarget._meta.db_table} SET min_open = min_open + %s WHERE id = ANY(%s)",
                [by, ids],
            )


def _forget_churn(since) -> None:
    """Delete what the churn runs left: their resolved alerts and the targets' history events."""
    from targets.models import PipelineAlert, PipelineTarget, PipelineTargetEvent

    PipelineAlert.objects.filter(opened_at__gte=since, resolved_at__isnull=False).delete()
    PipelineTargetEvent.objects.filter(pgh_created_at__gte=since).delete()
    tables = [m._meta.db_table for m in (PipelineAlert, PipelineTarget, PipelineTargetEvent)]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")  # no dead rows left for the next run


def _timed_check(pipeline_check_run) -> dict[str, Any]:
    started = time.perf_counter()
    with _QueryCount() as ctx:
        outcome = pipeline_check_run()
    return {
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "queries": ctx.n,
        "opened": outcome.opened,
        "resolved": outcome.resolved,
    }


def _median(runs: list[dict[str, Any]]) -> float:
    values = sorted(r["ms"] for r in runs)
    return values[len(values) // 2]


def target_check() -> dict[str, Any]:
    result: dict[str, Any] = {"rep_by_rep": rep_by_rep_check()}
    try:
        from targets.services import pipeline_check_run  # type: ignore[attr-defined]
    except ImportError:
        result.update(available=False, error="not available yet (targets.services.pipeline_check_run)")
        return result
    required = [
        p
        for p in inspect.signature(pipeline_check_run).parameters.values()
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if required:
        result.update(available=False, error=f"pipeline_check_run needs {[p.name for p in required]}")
        return result
    alert_model = _model("targets", "PipelineAlert")
    before = alert_model.objects.count() if alert_model else None
    # The daily history rollup (beat, after midnight), timed on its own and recomputed here so that
    # the first run below is a day's first check: every plan is rebuilt once against the new rollup.
    rollup: dict[str, Any] = {}
    try:
        from targets.services import flow_rollup_refresh  # type: ignore[attr-defined]
    except ImportError:
        flow_rollup_refresh = None
    if flow_rollup_refresh is not None:
        started = time.perf_counter()
        with _QueryCount() as ctx:
            flow_rollup_refresh(force=True)
        rollup = {"rollup_ms": round((time.perf_counter() - started) * 1000, 1), "rollup_queries": ctx.n}
    first = _timed_check(pipeline_check_run)
    if flow_rollup_refresh is not None:
        # What autovacuum does in the 30 minutes before the next check (it is off on the bench's
        # server): the first run rewrote every plan and the rollup replaced ~70,000 rows.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (ANALYZE) targets_pipelinealert, targets_ownerflowrollup, targets_sourcehistoryrollup"
            )
    # Nothing changed since the last check.
    idle = [_timed_check(pipeline_check_run) for _ in range(WARM_RUNS)]
    # CHURN alerts opened and CHURN resolved by each run (the first of these only opens them).
    churn_started = timezone.now()
    groups = _churn_groups()
    churn: list[dict[str, Any]] = []
    raised: list[int] = []
    try:
        for i in range(WARM_RUNS):
            _raise_targets(raised, -CHURN_RAISE)
            raised = groups[i % 2]
            _raise_targets(raised, CHURN_RAISE)
            churn.append(_timed_check(pipeline_check_run))
    finally:
        # Back to the data set's own targets and alerts, so that a re-run starts from the same state.
        _raise_targets(raised, -CHURN_RAISE)
        pipeline_check_run()
        _forget_churn(churn_started)
    warm = churn[1:] or churn
    result.update(
        available=True,
        # The figure: a check every 30 minutes that writes its alerts, the median of the runs that
        # each open CHURN alerts and resolve CHURN. Beside it the check with nothing to write, and the
        # first run (every alert opened on a fresh data set, or re-planned after an upgrade).
        ms=_median(warm),
        queries=warm[0]["queries"],
        warm_runs_ms=[r["ms"] for r in warm],
        churn=CHURN,
        churn_runs=[{k: r[k] for k in ("ms", "opened", "resolved")} for r in churn],
        idle_ms=_median(idle),
        idle_runs_ms=[r["ms"] for r in idle],
        idle_queries=idle[0]["queries"],
        first_ms=first["ms"],
        first_queries=first["queries"],
        first_opened=first["opened"],
        **rollup,
        # The day's first check with its rollup (the 00:10 task, or the check itself when it has not run).
        first_of_day_ms=round(first["ms"] + rollup["rollup_ms"], 1) if rollup else None,
        speedup_vs_rep_by_rep=round(result["rep_by_rep"]["ms"] / _median(warm), 1),
        alerts_before=before,
        alerts_after=alert_model.objects.count() if alert_model else None,
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    return result


def _model(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


# --- import --------------------------------------------------------------------------------------------


def _options(command: str) -> dict[str, Any]:
    """dest -> argparse action of a management command, to call it without knowing its exact flags."""
    from django.core.management import get_commands, load_command_class

    parser = load_command_class(get_commands()[command], command).create_parser("manage.py", command)
    return {action.dest: action for action in parser._actions}


def _arg(options: dict[str, Any], dests: tuple[str, ...], value: str) -> list[str] | None:
    for dest in dests:
        action = options.get(dest)
        if action is None:
            continue
        return [value] if not action.option_strings else [action.option_strings[-1], value]
    return None


def _manage_peak(args: list[str], env: dict[str, str]) -> tuple[int, float, float, str]:
    started = time.perf_counter()
    log = ROOT / "var" / "bench" / f"{args[0]}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, stdout=err, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    return proc.returncode, elapsed, usage.ru_maxrss / 1024, log.read_text()[-500:]


def import_csv(dataset: Dataset, *, rows: int, env: dict[str, str]) -> dict[str, Any]:
    from django.core.management import get_commands

    commands = get_commands()
    missing = [c for c in ("gen_import_csv", "import_prospects") if c not in commands]
    if missing:
        return {"available": False, "error": f"not available yet (manage.py {', '.join(missing)})"}
    path = ROOT / "bench" / "data" / f"import_{rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    gen = _options("gen_import_csv")
    gen_args = (_arg(gen, ("rows", "count", "n", "size", "lines"), str(rows)) or []) + (
        _arg(gen, ("output", "out", "path", "file", "csv", "filename"), str(path)) or []
    )
    if "stage" in gen:  # one stage column feeds status and horizon: the import's two-field mapping
        gen_args.append("--stage")
    imp = _options("import_prospects")
    imp_args = _arg(imp, ("path", "file", "csv", "csv_file", "filename", "input"), str(path))
    if imp_args is None:
        return {"available": False, "error": f"cannot tell how to call import_prospects ({sorted(imp)})"}
    owner = _arg(imp, ("owner", "user", "as_user", "username", "by"), dataset.admin_username) or []
    rc, gen_s, _, tail = _manage_peak(["gen_import_csv", *gen_args], env)
    if rc != 0 or not path.exists():
        return {"available": True, "error": f"gen_import_csv failed ({rc}): {tail}"}
    if "stage" in gen and "mapping" in imp:
        # The stage's horizons through a saved mapping's value table ("also"), as a user would set them.
        owner = [*owner, "--mapping", _save_stage_mapping(dataset, path)]

    from prospects.models import Prospect

    since = _last_ids()
    last_id = since["prospects.Prospect"]
    rc, seconds, peak_mb, tail = _manage_peak(["import_prospects", *imp_args, *owner], env)
    imported = Prospect.objects.filter(id__gt=last_id).count()
    result = {
        "available": True,
        "rows": rows,
        "imported": imported,
        "seconds": round(seconds, 2),
        "rows_per_s": round(imported / seconds) if seconds else None,
        "peak_mb": round(peak_mb, 1),
        "generate_seconds": round(gen_s, 2),
    }
    if rc != 0:
        result["error"] = f"import_prospects exited {rc}: {tail}"
    elif "update" in imp:
        result["update"] = _reimports(path, ["import_prospects", *imp_args, *owner], seconds, last_id, env)
    try:
        _remove_imported(since)
    except Exception as exc:  # e.g. rows of the import app refer to them: say so, the next run regenerates
        result["cleanup_error"] = str(exc)[:300]
    return result


STAGE_MAPPING = "bench: stage column"


def _save_stage_mapping(dataset: Dataset, path: Path) -> str:
    """A saved mapping for the generated file: the guessed columns, and the stage's value table."""
    from imports import parsing
    from imports.management.commands.gen_import_csv import STAGE_ALSO
    from imports.models import ImportMapping

    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    mapping = {"columns": parsing.guess_columns(header), "values": {}, "also": STAGE_ALSO, "date_order": ""}
    admin = apps.get_model("accounts", "User").objects.get(username=dataset.admin_username)
    ImportMapping.objects.update_or_create(created_by=admin, name=STAGE_MAPPING, defaults={"json": mapping})
    return STAGE_MAPPING


# Each row's probability moves one step: every row of the second re-import changes.
NEXT_PROBABILITY = {"10%": "30%", "30%": "50%", "50%": "70%", "70%": "90%", "90%": "10%"}
# A tenth of the open rows also moves stage, so the two-field mapping changes horizons on update.
NEXT_STAGE = {"Engaging": "Prospecting", "Prospecting": "Engaging"}


def _change_cells(path: Path, out: Path) -> int:
    """`path` with a cell or two of every row changed, written to `out`; returns the rows."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    probability, stage = header.index("確度"), header.index("ステータス")
    for number, row in enumerate(rows[1:]):
        row[probability] = NEXT_PROBABILITY.get(row[probability], "50%")
        if number % 10 == 0:
            row[stage] = NEXT_STAGE.get(row[stage], row[stage])
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return len(rows) - 1


def _reimports(
    path: Path, command: list[str], create_s: float, last_id: int, env: dict[str, str]
) -> dict[str, Any]:
    """The same file again with "update existing" (nothing to write), then a copy whose every row
    changes: their seconds, what they wrote (read back: versions), and their ratio to the create."""
    from prospects.models import Prospect

    imported = Prospect.objects.filter(id__gt=last_id)
    rc, same_s, _, tail = _manage_peak([*command, "--update"], env)
    if rc != 0:
        return {"error": f"unchanged re-import exited {rc}: {tail}"}
    written_unchanged = imported.filter(version__gt=1).count()
    changed = path.with_name(f"{path.stem}_changed.csv")
    rows = _change_cells(path, changed)
    command = [str(changed) if part == str(path) else part for part in command]
    rc, update_s, peak_mb, tail = _manage_peak([*command, "--update"], env)
    result = {
        "unchanged_seconds": round(same_s, 2),
        "unchanged_written": written_unchanged,
        "rows": rows,
        "updated": imported.filter(version=2).count(),
        "seconds": round(update_s, 2),
        "rows_per_s": round(rows / update_s) if update_s else None,
        "peak_mb": round(peak_mb, 1),
        "ratio_to_create": round(update_s / create_s, 2) if create_s else None,
    }
    if rc != 0:
        result["error"] = f"changed re-import exited {rc}: {tail}"
    return result


# The rows an import adds, by model: what the bench removes after it, children first.
IMPORTED_MODELS = ("prospects.Prospect", "companies.Contact", "companies.Company")


def _last_ids() -> dict[str, int]:
    """The newest id of each model an import adds to, before it runs."""
    return {
        label: apps.get_model(label).objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for label in IMPORTED_MODELS
    }


def _remove_imported(since: dict[str, int]) -> None:
    """Keep the data set re-usable: drop what the import added, its prospects with their planned next
    activities and the companies and contacts it created (history triggers off for the delete)."""
    from prospects.models import Prospect

    tables = [*TRIGGER_TABLES, *(apps.get_model(label)._meta.db_table for label in IMPORTED_MODELS[1:])]
    with transaction.atomic(), connection.cursor() as cur:
        for table in tables:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            activity = apps.get_model("activities", "Activity")._meta.db_table
            cur.execute(
                f"DELETE FROM {apps.get_model('activities', 'ActivityEvent')._meta.db_table}"
                f" WHERE pgh_obj_id IN (SELECT id FROM {activity} WHERE prospect_id > %s)",
                [since["prospects.Prospect"]],
            )
            cur.execute(f"DELETE FROM {activity} WHERE prospect_id > %s", [since["prospects.Prospect"]])
            for label in IMPORTED_MODELS:
                model = apps.get_model(label)
                events = model.pgh_event_models["insert"]._meta.db_table  # one event table per model
                cur.execute(f"DELETE FROM {events} WHERE pgh_obj_id > %s", [since[label]])
                cur.execute(f"DELETE FROM {model._meta.db_table} WHERE id > %s", [since[label]])
        finally:
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        from prospects.counts import rebuild as rebuild_open_counts

        rebuild_open_counts()  # the open-count triggers were off for the delete
    # VACUUM (outside the transaction), as autovacuum would after a bulk delete (it is off on some
    # servers): without it the next run's index-only scans visit the heap and the pages' plans change.
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {', '.join([*tables[:1], *tables[len(TRIGGER_TABLES) :]])}")
        cur.execute(f"VACUUM ANALYZE {Prospect.events.rel.related_model._meta.db_table}")
