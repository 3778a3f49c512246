"""The benchmark commands: gen_import_csv writes a realistic Japanese file; import_prospects loads it."""

from __future__ import annotations

import csv

import pytest
from django.core.management import CommandError, call_command

from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def test_a_generated_file_imports_cleanly_with_history_rows(personas, tmp_path, capsys):
    out = tmp_path / "gen.csv"
    call_command("gen_import_csv", "300", str(out), owners="owner,田中 翔太,teammate", seed=7)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "会社名" and len(rows) == 301
    assert {r[6] for r in rows[1:]} == {"商談中", "受注", "失注"}

    call_command("import_prospects", str(out), user="manager", dry_run=True)
    assert "rows/s" in capsys.readouterr().out
    assert not Prospect.objects.filter(name__contains="号店").exists()

    call_command("import_prospects", str(out), user="manager")
    imported = Prospect.objects.filter(name__contains="号店")
    assert imported.count() == 300
    assert imported.filter(status="won", won_amount__isnull=False, closed_on__isnull=False).exists()
    assert imported.filter(status="lost").exclude(lost_reason="").exists()


def test_a_generated_cp932_file_is_detected(personas, tmp_path):
    out = tmp_path / "gen.csv"
    call_command("gen_import_csv", "20", str(out), owners="owner", encoding="cp932")
    call_command("import_prospects", str(out), user="owner")
    assert Prospect.objects.filter(name__contains="号店", owner=personas.owner).count() == 20


def test_a_failing_import_exits_with_an_error(personas, tmp_path):
    out = tmp_path / "bad.csv"
    out.write_text("会社名,確度\nA,120\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_prospects", str(out), user="owner")
    with pytest.raises(CommandError):
        call_command("import_prospects", str(out), user="nobody")


def test_a_generated_file_with_a_stage_column_imports_status_and_horizon_from_it(personas, tmp_path):
    """The bench's import (bench.jobs.import_csv passes --stage): one column feeds two fields."""
    out = tmp_path / "stage.csv"
    call_command("gen_import_csv", "200", str(out), owners="owner", seed=3, stage=True)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert "見込み区分" not in rows[0]
    stages = {r[rows[0].index("ステータス")] for r in rows[1:]}
    assert stages == {"Prospecting", "Engaging", "受注", "失注"}
    call_command("import_prospects", str(out), user="owner")
    imported = Prospect.objects.filter(name__contains="号店", status="open")
    by_stage = {
        r[0]: r[rows[0].index("ステータス")]
        for r in rows[1:]
        if r[rows[0].index("ステータス")] in ("Prospecting", "Engaging")
    }
    assert imported.count() == len(by_stage)
    expected = {"Prospecting": "long", "Engaging": "mid"}
    assert all(expected[by_stage[p.name]] == p.horizon for p in imported)


def test_a_saved_mapping_named_on_the_command_line_sets_the_stages_horizons(personas, tmp_path):
    """import_prospects --mapping: the bench's stage column goes through a saved value table ("also"),
    which wins over the guess (Engaging would guess mid term)."""
    from imports import parsing
    from imports.models import ImportMapping

    out = tmp_path / "stage.csv"
    call_command("gen_import_csv", "100", str(out), owners="owner", seed=5, stage=True)
    header = next(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    also = {"status": {"Engaging": {"horizon": "short"}, "Prospecting": {"horizon": "long"}}}
    ImportMapping.objects.create(
        created_by=personas.owner,
        name="stages",
        json={"columns": parsing.guess_columns(header), "values": {}, "also": also},
    )
    with pytest.raises(CommandError):
        call_command("import_prospects", str(out), user="owner", mapping="no such mapping")
    call_command("import_prospects", str(out), user="owner", mapping="stages")
    open_rows = Prospect.objects.filter(name__contains="号店", status="open")
    assert open_rows.exists()
    assert set(open_rows.values_list("horizon", flat=True)) <= {"short", "long"}
    assert open_rows.filter(horizon="short").exists()


def test_a_reimport_with_update_reports_unchanged_rows(personas, tmp_path, capsys):
    out = tmp_path / "gen.csv"
    call_command("gen_import_csv", "50", str(out), owners="owner", seed=2)
    call_command("import_prospects", str(out), user="owner")
    capsys.readouterr()
    call_command("import_prospects", str(out), user="owner", update=True)
    assert "0 created, 0 updated, 50 unchanged" in capsys.readouterr().out
