"""Re-importing with "update existing": a row that would change nothing is counted as unchanged, in the
dry run and the import, and is not written (no version, no history event, no updated_at); a row that
changes is written once, with its version raised and its history recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imports.models import JobStatus
from imports.services import import_job_preview
from prospects.models import Prospect
from prospects.services import ProspectConflict, prospect_update
from tests.imports.conftest import HEADER, create_job, csv_bytes, run_import

pytestmark = pytest.mark.django_db

ROWS = [
    HEADER,
    ["鈴木建設", "owner", "80%", "120万", "2026年11月", "商談中", "展示会"],
    ["佐藤工務店", "owner", "30", "￥1,500,000", "2027/01", "商談中", "紹介"],
    ["高橋商事", "owner", "50", "200万", "2026/12", "商談中", "紹介"],
]


def _stored():
    return {
        name: (version, updated_at)
        for name, version, updated_at in Prospect.objects.values_list("name", "version", "updated_at")
    }


def _history_events():
    return Prospect.pgh_event_models["update"].objects.filter(pgh_label="update").count()


def test_a_dry_run_of_an_unchanged_file_counts_its_rows_as_unchanged(personas):
    assert run_import(personas.owner, ROWS).status == JobStatus.DONE
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(ROWS), update_duplicates=True))
    assert job.status == JobStatus.PREVIEWED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)
    assert [row["action"] for row in job.preview] == ["unchanged"] * 3


def test_reimporting_an_unchanged_file_writes_nothing(personas):
    run_import(personas.owner, ROWS)
    before, events = _stored(), _history_events()

    job = run_import(personas.owner, ROWS, update_duplicates=True)

    assert job.status == JobStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 3)
    assert _stored() == before  # the same versions and updated_at
    assert _history_events() == events


def test_a_changed_cell_updates_its_row_once_and_leaves_the_others(personas):
    run_import(personas.owner, ROWS)
    before, events = _stored(), _history_events()
    changed = [list(row) for row in ROWS]
    changed[2][2] = "40"  # 佐藤工務店's probability

    job = run_import(personas.owner, changed, update_duplicates=True)

    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 2)
    after = _stored()
    assert after["佐藤工務店"][0] == before["佐藤工務店"][0] + 1
    assert after["佐藤工務店"][1] > before["佐藤工務店"][1]
    assert {k: v for k, v in after.items() if k != "佐藤工務店"} == {
        k: v for k, v in before.items() if k != "佐藤工務店"
    }
    assert _history_events() == events + 1
    assert Prospect.objects.get(name="佐藤工務店").probability == 40


def test_an_edit_from_before_the_reimport_is_refused_not_overwritten(personas):
    run_import(personas.owner, ROWS)
    seen = Prospect.objects.get(name="鈴木建設")  # a rep's form, opened before the import
    changed = [list(row) for row in ROWS]
    changed[1][2] = "90"
    run_import(personas.owner, changed, update_duplicates=True)

    with pytest.raises(ProspectConflict):
        prospect_update(prospect=seen, by=personas.owner, expected_version=seen.version, probability=10)
    assert Prospect.objects.get(name="鈴木建設").probability == 90


def test_the_job_page_shows_the_unchanged_rows_next_to_created_and_updated(personas, login):
    run_import(personas.owner, ROWS)
    job = run_import(personas.owner, ROWS, update_duplicates=True)
    client = login(personas.owner)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Imported: 0 created, 0 updated, 3 unchanged." in page

    dry_run = import_job_preview(job=create_job(personas.owner, csv_bytes(ROWS), update_duplicates=True))
    page = client.get(reverse("imports:job", args=[dry_run.pk])).content.decode()
    assert "Would leave unchanged</dt><dd>3</dd>" in page


def test_an_update_moves_the_kept_open_counts_with_the_horizon_it_changes(personas):
    from prospects import counts

    run_import(personas.owner, ROWS)
    before = Prospect.objects.get(name="鈴木建設").horizon
    changed = [list(row) for row in ROWS]
    changed[1][4] = "2029/01"  # a far month: the horizon that followed the old month follows it

    job = run_import(personas.owner, changed, update_duplicates=True)

    assert job.updated_count == 1
    assert Prospect.objects.get(name="鈴木建設").horizon != before
    assert counts.drift() == []  # the statement-level count triggers saw the UPDATE
