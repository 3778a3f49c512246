"""The English CRM export of tests/imports/files (issue #20) goes in with the mapping's guesses and
choices alone, no edit of the file, and the statistics give the figures counted from its rows
(crm_export_en.figures.json, written by the set's generator, not by the product)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import User
from imports.models import JobStatus
from imports.services import import_job_date_order, import_job_preview, import_job_run, import_job_set_mapping
from products.models import Product
from prospects.models import Horizon, Prospect, Status
from tests.imports.conftest import create_job

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
FIGURES = json.loads((FILES / "crm_export_en.figures.json").read_text())


@pytest.fixture
def product_list() -> None:
    """The product list as an admin keeps it (products.csv)."""
    with (FILES / "products.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            Product.objects.create(name=row["product"], list_price=Decimal(row["sales_price"]))


def _import(admin: User) -> None:
    job = create_job(
        admin, (FILES / "crm_export_en.csv").read_bytes(), "crm_export_en.csv", create_owners=True
    )
    assert job.mapping["columns"] == {
        "opportunity_id": "external_id",
        "sales_agent": "owner",
        "product": "product",
        "account": "company_name",
        "deal_stage": "status",
        "engage_date": "created_at",
        "close_date": "closed_on",
        "close_value": "won_amount",
    }
    assert import_job_date_order(job=job).order == "mdy"
    # The mapping screen's two choices: a lost reason for lost rows without one, amounts from the list.
    import_job_set_mapping(
        job=job,
        columns=job.mapping["columns"],
        values={},
        lost_reason_default="other",
        fill_amount_from_product=True,
    )
    job = import_job_preview(job=job)
    assert job.error_count == 0, job.errors[:5]
    job = import_job_run(job=job)
    assert job.status == JobStatus.DONE
    assert job.created_count == FIGURES["rows"]


def test_the_english_crm_export_imports_with_the_mapping_alone_and_gives_its_known_figures(
    personas, product_list, login
):
    _import(personas.admin)
    deals = Prospect.objects.exclude(pk=personas.prospect.pk)
    assert deals.count() == FIGURES["rows"]
    assert deals.filter(status=Status.WON).count() == FIGURES["won"]
    assert deals.filter(status=Status.LOST).count() == FIGURES["lost"]
    open_deals = deals.filter(status=Status.OPEN)
    assert open_deals.filter(horizon=Horizon.MID).count() == FIGURES["open_mid_term"]
    assert open_deals.filter(horizon=Horizon.LONG).count() == FIGURES["open_long_term"]
    assert sum(p.amount for p in open_deals) == FIGURES["open_amount_from_list_prices"]
    assert deals.values("company").distinct().count() == FIGURES["accounts"]
    for name, count in FIGURES["open_by_agent"].items():
        first, last = name.split()
        rep = User.objects.get(first_name=first, last_name=last)
        assert open_deals.filter(owner=rep).count() == count, name
    # The statistics page over the file's closing months.
    first, last = dt.date.fromisoformat(FIGURES["first_close"]), dt.date.fromisoformat(FIGURES["last_close"])
    response = login(personas.admin).get(
        reverse("closing:statistics"), {"month_from": f"{first:%Y-%m}", "month_to": f"{last:%Y-%m}"}
    )
    total = response.context["total"]
    assert (total.won, total.lost) == (FIGURES["won"], FIGURES["lost"])
    assert total.win_rate == Decimal(str(FIGURES["win_rate_percent"]))
    assert total.avg_days_to_won == Decimal(str(FIGURES["average_days_to_win"]))
    assert sum(row.won_amount for row in response.context["rep_months"]) == FIGURES["won_total"]


def test_the_export_keeps_each_deals_opportunity_id_and_a_re_import_finds_them_all(personas, product_list):
    """Repeat customers of one rep and product are distinct deals by their opportunity IDs; the same
    file again with "update existing" finds every deal by it: nothing created, every row updated."""
    _import(personas.admin)
    with (FILES / "crm_export_en.csv").open(encoding="utf-8") as rows:
        opportunity_ids = sorted(row["opportunity_id"] for row in csv.DictReader(rows))
    deals = Prospect.objects.exclude(pk=personas.prospect.pk)
    assert sorted(deals.values_list("external_id", flat=True)) == opportunity_ids
    job = create_job(
        personas.admin,
        (FILES / "crm_export_en.csv").read_bytes(),
        "crm_export_en.csv",
        update_duplicates=True,
    )
    import_job_set_mapping(
        job=job,
        columns=job.mapping["columns"],
        values={},
        lost_reason_default="other",
        fill_amount_from_product=True,
    )
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors[:5]
    # The same file again: every deal found by its opportunity ID, none created, none changed.
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, FIGURES["rows"])
    assert sorted(deals.values_list("external_id", flat=True)) == opportunity_ids
