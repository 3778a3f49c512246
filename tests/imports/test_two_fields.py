"""One column, two fields: the values of a stage column set both status and horizon ("Engaging" = open
and mid term), by guess or by the mapping's "also" table, which saved mappings carry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from imports import parsing
from imports.models import ImportMapping, JobStatus
from imports.services import import_job_preview, import_job_run, import_job_set_mapping
from prospects.models import Prospect
from tests.imports.conftest import create_job, csv_bytes

pytestmark = pytest.mark.django_db

STAGES = [
    ["name", "deal_stage", "close_date", "close_value", "lost_reason"],
    ["Acme engaging", "Engaging", "", "", ""],
    ["Acme prospecting", "Prospecting", "", "", ""],
    ["Acme won", "Won", "2026/10/01", "5000", ""],
    ["Acme lost", "Lost", "2026/10/02", "", "Price"],
]
COLUMNS = {
    "name": "name",
    "deal_stage": "status",
    "close_date": "closed_on",
    "close_value": "won_amount",
    "lost_reason": "lost_reason",
}


def _import(by, rows, columns, **mapping):
    job = create_job(by, csv_bytes(rows))
    job = import_job_set_mapping(job=job, columns=columns, values={}, **mapping)
    job = import_job_preview(job=job)
    return import_job_run(job=job) if not job.error_count else job


def _states():
    return {
        name: (status, horizon)
        for name, status, horizon in Prospect.objects.values_list("name", "status", "horizon")
    }


def test_a_stage_says_status_and_horizon_in_one_table():
    assert parsing.guess_value("status", "Engaging") == "open"
    assert parsing.guess_also("status", "Engaging") == {"horizon": "mid"}
    assert parsing.guess_also("status", "PROSPECTING") == {"horizon": "long"}
    assert parsing.guess_also("horizon", "Prospecting") == {"status": "open"}
    assert parsing.guess_also("status", "Won") == {}
    assert parsing.guess_also("source", "other") == {}  # a source "other" is not a lost reason


def test_a_file_with_only_a_stage_column_imports_status_and_horizon(personas):
    job = _import(personas.owner, STAGES, COLUMNS)
    assert job.status == JobStatus.DONE, job.errors
    states = _states()
    assert states["Acme engaging"] == ("open", "mid")
    assert states["Acme prospecting"] == ("open", "long")
    assert states["Acme won"][0] == "won" and states["Acme lost"][0] == "lost"


def test_the_mapping_table_sets_the_second_field_and_an_empty_choice_sets_nothing(personas):
    rows = [["name", "stage", "expected"], ["A", "Engaging", "2099/01"], ["B", "Warm", "2099/01"]]
    also = {"status": {"Engaging": {}, "Warm": {"horizon": "short"}}}
    columns = {"name": "name", "stage": "status", "expected": "expected_month"}
    assert _import(personas.owner, rows, columns, also=also).error_count == 1  # "Warm": which status?
    job = create_job(personas.owner, csv_bytes(rows))
    import_job_set_mapping(job=job, columns=columns, values={"status": {"Warm": "open"}}, also=also)
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    states = _states()
    assert states["A"] == ("open", "long")  # nothing else chosen: the far month's horizon, not the guess
    assert states["B"] == ("open", "short")


def test_the_own_column_wins_where_its_cell_is_not_empty(personas):
    rows = [["name", "stage", "horizon"], ["A", "Engaging", "短期"], ["B", "Engaging", ""]]
    job = _import(personas.owner, rows, {"name": "name", "stage": "status", "horizon": "horizon"})
    assert job.status == JobStatus.DONE, job.errors
    states = _states()
    assert states["A"] == ("open", "short")
    assert states["B"] == ("open", "mid")


def test_a_horizon_column_may_set_the_status_too(personas):
    rows = [["name", "stage"], ["A", "Prospecting"]]
    job = _import(personas.owner, rows, {"name": "name", "stage": "horizon"})
    assert job.status == JobStatus.DONE, job.errors
    assert _states()["A"] == ("open", "long")


def test_the_mapping_keeps_only_offered_fields_and_codes(personas):
    job = create_job(personas.owner, csv_bytes(STAGES))
    also = {
        "status": {
            "Engaging": {"horizon": "mid", "status": "won", "owner": "1"},
            "Won": {"horizon": "bogus"},
        },
        "owner": {"x": {"horizon": "mid"}},
        "horizon": "not a table",
    }
    job = import_job_set_mapping(job=job, columns=COLUMNS, values={}, also=also)
    assert job.mapping["also"] == {"status": {"Engaging": {"horizon": "mid"}, "Won": {}}}


def test_a_saved_mapping_carries_the_second_field_and_an_old_one_still_works(personas):
    job = create_job(personas.owner, csv_bytes(STAGES))
    also = {"status": {"Engaging": {"horizon": "short"}}}
    import_job_set_mapping(job=job, columns=COLUMNS, values={}, also=also, save_as="crm")
    saved = ImportMapping.objects.get(name="crm")
    assert saved.json["also"] == also
    job = create_job(personas.owner, csv_bytes(STAGES), saved_mapping=saved)
    assert job.mapping["also"] == also
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    assert _states()["Acme engaging"] == ("open", "short")

    Prospect.objects.filter(name__startswith="Acme").delete()
    old = ImportMapping.objects.create(
        name="old", created_by=personas.owner, json={"columns": COLUMNS, "values": {}}
    )
    job = create_job(personas.owner, csv_bytes(STAGES), saved_mapping=old)
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    assert _states()["Acme engaging"] == ("open", "mid")  # no table saved: the guess


def test_the_mapping_page_offers_the_second_field_with_the_guess_and_keeps_the_choice(personas, login):
    client = login(personas.owner)
    job = create_job(personas.owner, csv_bytes(STAGES))
    url = reverse("imports:mapping", args=[job.pk])
    columns = {f"col-{i}": field for i, field in enumerate(COLUMNS.values())}
    client.post(url, {**columns, "refresh": "1"})
    page = client.get(url).content.decode()
    index = next(i for i, h in enumerate(job.headers) if h["name"] == "deal_stage")
    j = job.headers[index]["values"].index("Engaging")
    assert f'name="also-{index}-{j}"' in page
    assert '<option value="horizon:mid" selected>' in page
    won = job.headers[index]["values"].index("Won")
    client.post(
        url, {**columns, f"also-{index}-{j}": "horizon:short", f"also-{index}-{won}": "", "refresh": "1"}
    )
    job.refresh_from_db()
    assert job.mapping["also"]["status"]["Engaging"] == {"horizon": "short"}
    assert job.mapping["also"]["status"]["Won"] == {}
