"""External IDs in an import (issue #20): the source system's deal ID is kept, and a re-import with
"update existing" finds each deal by it; deals of one customer, rep and product are distinct by it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from activities.models import Activity, ActivityStatus
from imports import parsing
from imports.models import JobStatus
from imports.services.matching import (
    DUPLICATE_EXISTS,
    DUPLICATE_IN_FILE,
    EXTERNAL_ID_ELSEWHERE,
    EXTERNAL_ID_EXISTS,
    EXTERNAL_ID_HIDDEN,
)
from imports.services.validation import TOO_LONG
from prospects.models import EXTERNAL_ID_MAX_LENGTH, Prospect
from tests.activities.conftest import kind
from tests.conftest import make_prospect
from tests.imports.conftest import run_import

pytestmark = pytest.mark.django_db

HEADER = ["opportunity_id", "見込み客名", "担当者", "確度"]


def errors_of(job) -> list[tuple[int, str, str, str]]:
    return [(e["row"], e["column"], e["value"], e["reason"]) for e in job.errors]


def _en(message, **params) -> str:
    with translation.override("en"):
        return str(message % params if params else message)


def _import(by, rows, **options):
    """The import of a user reading English (its reasons in English)."""
    with translation.override("en"):
        return run_import(by, rows, **options)


@pytest.mark.parametrize(
    "header",
    [
        "opportunity_id",
        "Opportunity ID",
        "deal_id",
        "Deal ID",
        "external_id",
        "External ID",
        "外部ID",
        "案件ID",
    ],
)
def test_the_source_systems_deal_id_is_guessed_as_the_external_id(header):
    assert parsing.guess_field(header) == "external_id"


def test_new_rows_keep_their_external_id(personas):
    job = _import(personas.owner, [HEADER, ["OPP-1", "鈴木建設", "owner", "30"]])
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name="鈴木建設").external_id == "OPP-1"


def test_a_re_import_updates_the_prospect_with_the_external_id_when_updating_is_chosen(personas):
    existing = make_prospect(personas.owner, name="旧社名", probability=10, external_id="OPP-1")
    rows = [HEADER, ["OPP-1", "新社名", "owner", "70"]]
    job = _import(personas.owner, rows)
    assert errors_of(job) == [(2, "opportunity_id", "OPP-1", _en(EXTERNAL_ID_EXISTS, id=existing.pk))]
    existing.refresh_from_db()
    assert (existing.name, existing.probability) == ("旧社名", 10)

    job = _import(personas.owner, rows, update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 1)
    existing.refresh_from_db()
    # Found by its external ID, not by its name: the name changed with the row.
    assert (existing.name, existing.probability, existing.version) == ("新社名", 70, 2)
    assert Prospect.objects.filter(external_id="OPP-1").count() == 1


def test_one_external_id_twice_in_a_file_is_a_row_error(personas):
    rows = [HEADER, ["OPP-1", "A社", "owner", "30"], ["OPP-1", "B社", "owner", "40"]]
    job = _import(personas.owner, rows, update_duplicates=True)
    assert errors_of(job) == [(3, "opportunity_id", "OPP-1", _en(DUPLICATE_IN_FILE, row=2))]
    assert not Prospect.objects.filter(name__in=["A社", "B社"]).exists()


def test_deals_of_one_name_and_owner_are_distinct_by_their_external_ids(personas):
    """Several deals of one customer for one rep ("<company> <product>") are not duplicates of each
    other, nor of a prospect of the same name without an external ID."""
    make_prospect(personas.owner, name="Acme Basic")
    rows = [
        HEADER,
        ["OPP-1", "Acme Basic", "owner", "30"],
        ["OPP-2", "Acme Basic", "owner", "40"],
    ]
    job = _import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.errors
    assert job.created_count == 2
    assert sorted(Prospect.objects.filter(name="Acme Basic").values_list("external_id", flat=True)) == [
        "",
        "OPP-1",
        "OPP-2",
    ]


def test_without_an_external_id_a_row_is_matched_by_name_and_owner_as_before(personas):
    existing = make_prospect(personas.owner, name="鈴木建設", external_id="OPP-9")
    job = _import(personas.owner, [HEADER, ["", "鈴木建設", "owner", "30"]])
    assert errors_of(job) == [(2, "見込み客名", "鈴木建設", _en(DUPLICATE_EXISTS, id=existing.pk))]
    job = _import(personas.owner, [HEADER, ["", "鈴木建設", "owner", "30"]], update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    existing.refresh_from_db()
    assert (existing.probability, existing.external_id) == (30, "OPP-9")  # an empty cell keeps it


def test_an_id_column_wins_and_its_external_id_must_not_be_another_prospects(personas):
    mine = make_prospect(personas.owner, name="自社案件")
    other = make_prospect(personas.owner, name="別案件", external_id="OPP-2")
    rows = [["ID", "外部ID", "確度"], [str(mine.pk), "OPP-2", "60"]]
    job = _import(personas.owner, rows, update_duplicates=True)
    assert errors_of(job) == [(2, "外部ID", "OPP-2", _en(EXTERNAL_ID_ELSEWHERE, id=other.pk))]
    mine.refresh_from_db()
    assert mine.external_id == ""

    job = _import(
        personas.owner, [["ID", "外部ID", "確度"], [str(mine.pk), "OPP-3", "60"]], update_duplicates=True
    )
    assert job.status == JobStatus.DONE, job.errors
    mine.refresh_from_db()
    assert (mine.external_id, mine.probability) == ("OPP-3", 60)


def test_an_external_id_of_a_prospect_the_importer_may_not_see_is_an_error(personas):
    hidden = make_prospect(personas.outsider, name="他チーム", probability=10, external_id="OPP-X")
    job = _import(personas.owner, [HEADER, ["OPP-X", "乗っ取り", "owner", "90"]], update_duplicates=True)
    assert errors_of(job) == [(2, "opportunity_id", "OPP-X", _en(EXTERNAL_ID_HIDDEN))]
    hidden.refresh_from_db()
    assert (hidden.name, hidden.probability) == ("他チーム", 10)


def test_a_too_long_external_id_is_a_cell_error(personas):
    long_id = "X" * (EXTERNAL_ID_MAX_LENGTH + 1)
    job = _import(personas.owner, [HEADER, [long_id, "A社", "owner", "30"]])
    assert errors_of(job) == [(2, "opportunity_id", long_id[:200], _en(TOO_LONG, max=EXTERNAL_ID_MAX_LENGTH))]


def test_next_actions_of_new_rows_of_one_name_and_owner_go_to_their_own_deals(personas):
    """New rows are found after COPY by their external ID: deals that share a name and owner each get
    their own next activity, and a row without one is found by name and owner among those without."""
    kind("other")
    rows = [
        ["opportunity_id", "見込み客名", "次回アクション", "次回アクション日"],
        ["OPP-1", "Acme Basic", "見積A", "2027/01/15"],
        ["OPP-2", "Acme Basic", "見積B", "2027/01/16"],
        ["", "Acme Basic", "見積C", "2027/01/17"],
    ]
    job = _import(personas.owner, rows)
    assert job.status == JobStatus.DONE, job.errors
    planned = {
        (a.prospect.external_id, a.subject, timezone.localdate(a.starts_at))
        for a in Activity.objects.filter(status=ActivityStatus.PLANNED).select_related("prospect")
    }
    assert planned == {
        ("OPP-1", "見積A", dt.date(2027, 1, 15)),
        ("OPP-2", "見積B", dt.date(2027, 1, 16)),
        ("", "見積C", dt.date(2027, 1, 17)),
    }


@pytest.mark.parametrize("id_row_first", [True, False])
def test_a_prospect_named_by_one_rows_id_and_another_rows_external_id_is_a_row_error(personas, id_row_first):
    existing = make_prospect(personas.owner, name="鈴木建設", external_id="OPP-1", probability=10)
    by_id = [str(existing.pk), "", "60"]
    by_external_id = ["", "OPP-1", "70"]
    first, second = (by_id, by_external_id) if id_row_first else (by_external_id, by_id)
    job = _import(personas.owner, [["ID", "外部ID", "確度"], first, second], update_duplicates=True)
    assert [(e["row"], e["reason"]) for e in job.errors] == [(3, _en(DUPLICATE_IN_FILE, row=2))]
    existing.refresh_from_db()
    assert existing.probability == 10


def test_a_re_import_without_a_name_column_keeps_the_name_of_the_deal_it_updates(personas):
    """A row without a name of its own is named after its company for a NEW deal only: the deal its
    external ID finds keeps the name it has (renamed since the first import, say), not one the import
    makes up again."""
    header = ["opportunity_id", "account", "担当者", "確度"]
    job = _import(personas.owner, [header, ["OPP-7", "Acme", "owner", "30"]])
    assert job.status == JobStatus.DONE, job.errors
    deal = Prospect.objects.get(external_id="OPP-7")
    assert deal.name == "Acme"
    Prospect.objects.filter(pk=deal.pk).update(name="Acme 二期工事")

    job = _import(personas.owner, [header, ["OPP-7", "Acme", "owner", "60"]], update_duplicates=True)
    assert job.status == JobStatus.DONE, job.errors
    deal.refresh_from_db()
    assert (deal.name, deal.probability) == ("Acme 二期工事", 60)
    # Nothing but the name would change: the row changes nothing.
    job = _import(personas.owner, [header, ["OPP-7", "Acme", "owner", "60"]], update_duplicates=True)
    assert (job.updated_count, job.unchanged_count) == (0, 1)


def test_the_dry_run_preview_shows_each_rows_external_id(personas, login):
    """The preview shows the ID a re-import will match each row by; a file without one shows no column."""
    from django.urls import reverse

    from imports.services import import_job_preview
    from tests.imports.conftest import create_job, csv_bytes

    client = login(personas.owner)
    rows = [HEADER, ["OPP-77", "鈴木建設", personas.owner.display_name, "30"]]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(rows, "utf-8")))
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "外部ID</th>" in page and ">OPP-77</td>" in page
    plain = [HEADER[1:], ["佐藤商事", personas.owner.display_name, "30"]]
    job = import_job_preview(job=create_job(personas.owner, csv_bytes(plain, "utf-8")))
    assert "外部ID</th>" not in client.get(reverse("imports:job", args=[job.pk])).content.decode()
