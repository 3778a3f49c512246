"""Flow 7 (#20): an admin brings in another CRM's raw English export with the mapping screen alone.

Upload with "create the owners" and the date order M/D/Y, accept the guessed columns, choose a default
lost reason and "fill the amount from the list price", dry run, import (both through the real Celery
worker, as a large file goes), activate the new reps in one step into a team, and find them in the
board's scope menu: the admin's (no longer marked inactive) and their new manager's (there at all)."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from imports.models import DateOrder, ImportJob, JobStatus
from products.models import Product
from prospects.models import LostReason, Prospect, Status
from salescrm.celery import app as celery_app
from tests.browser import support
from tests.imports.conftest import wait_for_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = Path(__file__).resolve().parents[1] / "imports" / "files"
EXPORT = FILES / "crm_export_en.csv"
FIGURES = json.loads((FILES / "crm_export_en.figures.json").read_text())
# What the mapping page guesses for the export's headers (the opportunity ID tells apart the deals of
# one account, product and agent).
GUESSED = {
    "opportunity_id": "external_id",
    "sales_agent": "owner",
    "account": "company_name",
    "deal_stage": "status",
    "engage_date": "created_at",
    "close_date": "closed_on",
    "close_value": "won_amount",
    "product": "product",
}


def ja(text) -> str:
    with translation.override("ja"):
        return translation.gettext(str(text))


def inactive_mark() -> str:
    """A deactivated account's mark in a scope menu, in Japanese."""
    with translation.override("ja"):
        return translation.pgettext("user account", "inactive")


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.IMPORT_UPLOAD_DIR = tmp_path / "imports"
    return settings.IMPORT_UPLOAD_DIR


@pytest.fixture
def worker(settings, upload_dir):
    # The 61-row file goes to Celery as a file of thousands would: the page polls, the worker runs it.
    settings.IMPORT_ASYNC_ROWS = 20
    celery_app.control.purge()  # this worktree's queue only: leftovers of earlier tests
    with start_worker(celery_app, perform_ping_check=False, pool="solo", shutdown_timeout=30) as w:
        yield w


@pytest.fixture
def products(transactional_db) -> list[Product]:
    """The product list an admin keeps (products.csv: name, list price)."""
    with (FILES / "products.csv").open(newline="", encoding="utf-8") as f:
        return [
            Product.objects.create(name=row["product"], list_price=Decimal(row["sales_price"]))
            for row in csv.DictReader(f)
        ]


def agents() -> list[str]:
    with EXPORT.open(newline="", encoding="utf-8") as f:
        return sorted({row["sales_agent"] for row in csv.DictReader(f)})


def fact(page: Page, label: str) -> Locator:
    """The value (dd) of a job page fact whose term (dt) reads exactly `label`."""
    return page.locator(
        f"xpath=//dl[contains(@class, 'facts')]/dt[normalize-space()='{label}']/following-sibling::dd[1]"
    )


def scope_labels(page: Page) -> list[str]:
    return [t.strip() for t in page.locator("#id_scope option").all_inner_texts()]


def test_an_admin_imports_a_raw_english_crm_export_and_activates_its_reps_in_one_step(
    app, crm, open_page, products, worker
):
    page = open_page(crm.admin, viewport=support.DESKTOP)
    manager = open_page(crm.manager, viewport=support.DESKTOP)
    names = agents()
    assert "Darcel Schlecht" in names
    before = Prospect.objects.count()  # the personas' own

    # Upload: the raw file, its owners created as reps, its dates read month first.
    page.goto(f"{app}/imports/new/")
    page.locator("#id_file").set_input_files(EXPORT)
    page.locator("#id_create_owners").check()
    page.locator("#id_date_order").select_option(DateOrder.MDY.value)
    support.shot(page, "flow7-1-upload", full_page=True)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/imports/\d+/mapping/$"))
    job = ImportJob.objects.get()
    assert job.options["date_order"] == DateOrder.MDY

    # Mapping: every guess is the right one; the date order chosen at upload is kept.
    headers = [h["name"] for h in job.headers]
    for header, field in GUESSED.items():
        expect(page.locator(f"#col-{headers.index(header)}")).to_have_value(field)
    expect(page.locator("#date_order")).to_have_value(DateOrder.MDY.value)
    page.locator("#lost_reason_default").select_option(LostReason.OTHER.value)
    page.locator("input[name=fill_amount_from_product]").check()
    support.shot(page, "flow7-2-mapping", full_page=True)
    page.locator("form.import-mapping button.primary[type=submit]").click()

    # Dry run, in the worker: the page follows its progress and reloads when it is done.
    expect(page).to_have_url(f"{app}/imports/{job.pk}/")
    run = page.locator(f"form[action='/imports/{job.pk}/run/'] button[type=submit]")
    expect(run).to_be_visible(timeout=60_000)
    rows = FIGURES["rows"]
    expect(fact(page, ja("Would create"))).to_have_text(str(rows))
    expect(fact(page, ja("Rows with errors"))).to_have_text("0")
    expect(fact(page, ja("Errors"))).to_have_text("0")
    expect(fact(page, ja("Lost rows given the default lost reason"))).to_have_text(str(FIGURES["lost"]))
    with translation.override("ja"):
        chosen = translation.gettext("%(order)s, as chosen") % {"order": DateOrder.MDY.label}
    expect(fact(page, ja("Date order"))).to_have_text(chosen)
    to_create = page.locator("p.alert", has_text=ja("These owners will be created as inactive rep accounts:"))
    for name in names:
        expect(to_create).to_contain_text(name)
    assert Prospect.objects.count() == before and not User.objects.filter(last_name="Schlecht").exists()
    support.shot(page, "flow7-3-dry-run", full_page=True)

    # Import, in the worker too.
    run.click()
    new_owners = page.locator("#new-owners")
    expect(new_owners).to_be_visible(timeout=60_000)
    job = wait_for_job(job, JobStatus.DONE)
    assert (job.created_count, job.error_count) == (rows, 0)
    assert Prospect.objects.count() == before + rows
    imported = Prospect.objects.filter(owner__in=job.created_owners.all())
    assert imported.filter(status=Status.WON).count() == FIGURES["won"]
    assert imported.filter(status=Status.LOST, lost_reason=LostReason.OTHER).count() == FIGURES["lost"]
    reps = {u.display_name: u for u in job.created_owners.all()}
    assert sorted(reps) == names and not any(u.is_active for u in reps.values())
    darcel = reps["Darcel Schlecht"]
    for name in names:
        expect(new_owners.locator("li", has_text=name)).to_be_visible()

    # Before the activation: the admin's menu marks Darcel inactive; his manager-to-be cannot pick him.
    board = page.context.new_page()
    board.goto(f"{app}/pipeline/")
    inactive = f"Darcel Schlecht ({inactive_mark()})"
    assert inactive in scope_labels(board)
    assert "Darcel Schlecht" not in scope_labels(board)
    manager.goto(f"{app}/pipeline/")
    expect(manager.locator(f"#id_scope option[value='user-{darcel.pk}']")).to_have_count(0)

    # One step: every new rep, into the manager's team (the invitation stays ticked: none has an address).
    new_owners.locator("select[name=team]").select_option(str(crm.team.pk))
    support.shot(page, "flow7-4-new-reps", full_page=True)
    new_owners.locator("button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("Darcel Schlecht")
    expect(page.locator("#new-owners")).to_have_count(0)
    assert all(u.is_active for u in User.objects.filter(pk__in=[u.pk for u in reps.values()]))

    # The board's scope menu: the admin's shows them unmarked, the manager's now has them.
    board.reload()
    labels = scope_labels(board)
    assert set(names) <= set(labels) and inactive not in labels
    manager.reload()
    expect(manager.locator(f"#id_scope option[value='user-{darcel.pk}']")).to_have_text("Darcel Schlecht")
    for name in names:
        expect(manager.locator(f"#id_scope option[value='user-{reps[name].pk}']")).to_have_text(name)
    manager.locator("#id_scope").select_option(f"user-{darcel.pk}")
    expect(manager.locator("#board")).to_have_attribute("data-scope", f"user-{darcel.pk}")
    counts = manager.locator("#board .col-count").evaluate_all("els => els.map(e => +e.dataset.count)")
    assert sum(counts) == FIGURES["open_by_agent"]["Darcel Schlecht"]
    support.shot(manager, "flow7-5-board-scope", full_page=True)
