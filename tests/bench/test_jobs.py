"""The bench's job helpers: peak memory of a child process, the rep-by-rep comparison check and the
timed target check."""

from __future__ import annotations

import os

import pytest

from bench.jobs import _manage_peak, rep_by_rep_check
from targets.models import PipelineAlert, PipelineTarget, PipelineTargetEvent
from tests.conftest import make_prospect, make_user


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


@pytest.mark.django_db(transaction=True)
def test_each_timed_check_opens_and_resolves_alerts_and_the_data_set_is_put_back(monkeypatch):
    from bench import jobs

    monkeypatch.setattr(jobs, "CHURN", 2)
    for _ in range(4):  # four reps whose pipeline is full: the churn raises two of them at a time
        rep = make_user()
        make_prospect(rep)
        PipelineTarget.objects.create(user=rep, min_open=1)
    short = make_user()
    PipelineTarget.objects.create(user=short, min_open=3)  # below target from the start
    targets = sorted(PipelineTarget.objects.values_list("id", "min_open"))
    events = PipelineTargetEvent.objects.count()

    result = jobs.target_check()

    assert result["available"] and result["first_opened"] == 1 and result["churn"] == 2
    runs = [(r["opened"], r["resolved"]) for r in result["churn_runs"]]
    assert runs == [(2, 0)] + [(2, 2)] * (jobs.WARM_RUNS - 1)
    assert result["warm_runs_ms"] == [r["ms"] for r in result["churn_runs"][1:]]
    assert len(result["idle_runs_ms"]) == jobs.WARM_RUNS
    # Back as it was: the targets, one open alert (the short rep's), no churn alert or history left.
    assert sorted(PipelineTarget.objects.values_list("id", "min_open")) == targets
    assert list(PipelineAlert.objects.values_list("user_id", "resolved_at")) == [(short.pk, None)]
    assert PipelineTargetEvent.objects.count() == events


def test_the_baseline_reads_its_rows_from_an_index_in_order(personas):
    """The baseline is "one indexed query": an index must serve both its filter and its order (with
    sequential scans and sorts priced out, the plan is an index scan on the owner, with no sort)."""
    from django.db import connection

    from bench.baseline import BASELINE_ORDER, ROWS
    from prospects.models import Prospect

    query = Prospect.objects.filter(owner_id=personas.owner.pk).order_by(*BASELINE_ORDER)[:ROWS]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using prospect_list_filters" in plan and "Sort" not in plan, plan


def test_cells_are_changed_in_every_row_and_a_tenth_of_the_stages(tmp_path):
    from bench.jobs import _change_cells

    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [["会社名", "確度", "ステータス"]] + [[f"A{i}", "10%", "Engaging"] for i in range(20)]
    source.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    assert _change_cells(source, out) == 20
    changed = [line.split(",") for line in out.read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert all(r[1] == "30%" for r in changed)
    assert [r[2] for r in changed].count("Prospecting") == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_import_bench_creates_then_reimports_unchanged_and_changed_and_cleans_up(personas, monkeypatch):
    """The whole import figure at a small size, through the child commands against the test database."""
    from types import SimpleNamespace

    from django.db import connection

    from bench import jobs
    from prospects.models import Prospect

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": url}
    from activities.models import Activity
    from companies.models import Company, Contact

    before = (Prospect.objects.count(), Company.objects.count(), Contact.objects.count())

    added = {}
    remove = jobs._remove_imported

    def counting_remove(since):
        added["companies"] = Company.objects.count()
        added["planned"] = Activity.objects.filter(prospect_id__gt=since["prospects.Prospect"]).count()
        remove(since)

    monkeypatch.setattr(jobs, "_remove_imported", counting_remove)
    result = jobs.import_csv(SimpleNamespace(admin_username=personas.admin.username), rows=60, env=env)

    assert "error" not in result and "cleanup_error" not in result, result.get("cleanup_error")
    assert result["imported"] == 60
    update = result["update"]
    assert "error" not in update, update
    assert (update["rows"], update["updated"], update["unchanged_written"]) == (60, 60, 0)
    assert update["seconds"] > 0 and update["ratio_to_create"] > 0
    # The data set is put back: the prospects and the companies and contacts the file created.
    assert (Prospect.objects.count(), Company.objects.count(), Contact.objects.count()) == before
    assert added["companies"] > before[1] and added["planned"]  # there was something to remove
