"""A product column in an import: matched to the product list, and an empty amount filled from its list
price when the mapping says so."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from imports.models import JobStatus
from imports.services import import_job_preview, import_job_run, import_job_set_mapping
from imports.services.matching import DUPLICATE_IN_FILE, DUPLICATE_UNNAMED_IN_FILE
from imports.services.rules import WON_NEEDS_AMOUNT
from imports.services.validation import UNKNOWN_PRODUCT
from products.models import Product
from prospects.models import Prospect
from tests.imports.conftest import create_job, csv_bytes, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget(db):
    return Product.objects.create(name="Widget Pro", list_price=Decimal("250000"))


def _run(by, rows, **mapping_options):
    job = create_job(by, csv_bytes(rows))
    job = import_job_set_mapping(job=job, columns=job.mapping["columns"], values={}, **mapping_options)
    job = import_job_preview(job=job)
    return import_job_run(job=job) if not job.error_count else job


def test_a_product_column_is_guessed_and_matched_whatever_its_case_and_width(personas, widget):
    rows = [["顧客名", "製品", "金額"], ["鈴木建設", "ｗｉｄｇｅｔ　pro", "100万"], ["佐藤工務店", "", ""]]  # noqa: RUF001
    job = run_import(personas.owner, rows)
    assert job.mapping["columns"]["製品"] == "product"
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name="鈴木建設").product == widget
    assert Prospect.objects.get(name="佐藤工務店").product is None


def test_an_unknown_product_is_a_row_error_that_says_to_add_it_first(personas, widget):
    rows = [["顧客名", "product"], ["鈴木建設", "Widget Pro"], ["佐藤工務店", "Gizmo"]]
    job = run_import(personas.owner, rows)
    assert job.status == JobStatus.PREVIEWED and job.error_count == 1
    error = job.errors[0]
    assert (error["row"], error["column"], error["value"]) == (3, "product", "Gizmo")
    with translation.override(job.options["language"]):
        expected = str(UNKNOWN_PRODUCT % {"value": "Gizmo"})
    assert error["reason"] == expected and "Gizmo" in expected
    assert not Prospect.objects.filter(name="鈴木建設").exists()


def test_an_inactive_product_still_matches_an_old_deal(personas, widget):
    Product.objects.filter(pk=widget.pk).update(is_active=False)
    job = run_import(personas.owner, [["顧客名", "product"], ["鈴木建設", "widget pro"]])
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name="鈴木建設").product == widget


def test_the_mapping_fills_an_empty_amount_from_the_list_price(personas, widget):
    rows = [
        ["顧客名", "product", "amount"],
        ["鈴木建設", "Widget Pro", ""],  # no amount: the list price
        ["佐藤工務店", "Widget Pro", "100万"],  # its own amount stays
        ["高橋商事", "", ""],  # no product: nothing to fill from
    ]
    job = _run(personas.owner, rows, fill_amount_from_product=True)
    assert job.options["fill_amount_from_product"] is True
    assert job.status == JobStatus.DONE, job.errors
    amounts = dict(Prospect.objects.values_list("name", "amount"))
    assert amounts["鈴木建設"] == Decimal("250000")
    assert amounts["佐藤工務店"] == Decimal("1000000")
    assert amounts["高橋商事"] == Decimal("0")


def test_without_the_option_an_empty_amount_stays_zero(personas, widget):
    job = _run(personas.owner, [["顧客名", "product"], ["鈴木建設", "Widget Pro"]])
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name="鈴木建設").amount == Decimal("0")


def test_an_update_fills_only_a_zero_amount(personas, widget):
    kept = Prospect.objects.create(name="鈴木建設", owner=personas.owner, source="other", amount=Decimal("7"))
    empty = Prospect.objects.create(name="佐藤工務店", owner=personas.owner, source="other")
    rows = [["顧客名", "product"], ["鈴木建設", "Widget Pro"], ["佐藤工務店", "Widget Pro"]]
    job = create_job(personas.owner, csv_bytes(rows), update_duplicates=True)
    import_job_set_mapping(job=job, columns=job.mapping["columns"], values={}, fill_amount_from_product=True)
    job = import_job_run(job=import_job_preview(job=job))
    assert job.status == JobStatus.DONE, job.errors
    kept.refresh_from_db()
    empty.refresh_from_db()
    assert (kept.amount, kept.product) == (Decimal("7"), widget)
    assert (empty.amount, empty.product) == (Decimal("250000"), widget)


def test_a_won_row_without_an_amount_is_not_given_the_list_price_as_its_won_amount(personas, widget):
    rows = [["顧客名", "product", "status", "closed_on"], ["鈴木建設", "Widget Pro", "受注", "2026/10/01"]]
    job = _run(personas.owner, rows, fill_amount_from_product=True)
    assert job.error_count == 1
    assert job.errors[0]["reason"] == str(WON_NEEDS_AMOUNT)
    assert not Prospect.objects.filter(name="鈴木建設").exists()


def test_the_mapping_page_offers_and_keeps_the_fill_option(personas, login, widget):
    client = login(personas.owner)
    job = create_job(personas.owner, csv_bytes([["顧客名", "product"], ["鈴木建設", "Widget Pro"]]))
    url = reverse("imports:mapping", args=[job.pk])
    assert 'name="fill_amount_from_product"' in client.get(url).content.decode()
    client.post(url, {"col-0": "name", "col-1": "product", "fill_amount_from_product": "1", "refresh": "1"})
    job.refresh_from_db()
    assert job.options["fill_amount_from_product"] is True
    assert "checked" in client.get(url).content.decode()
    client.post(url, {"col-0": "name", "col-1": "product", "refresh": "1"})
    job.refresh_from_db()
    assert job.options["fill_amount_from_product"] is False


def test_a_deal_without_a_name_is_named_after_its_company_and_product(personas, widget):
    Product.objects.create(name="Gadget", list_price=Decimal("1000"))
    rows = [
        ["account", "product", "name"],
        ["Acme", "Widget Pro", ""],
        ["Acme", "gadget", ""],
        ["Acme", "", ""],
        ["Acme", "Gadget", "Acme renewal"],  # a name of its own stays
    ]
    job = run_import(personas.owner, rows)
    assert job.mapping["columns"]["account"] == "company_name"
    assert job.status == JobStatus.DONE, job.errors
    deals = Prospect.objects.filter(name__startswith="Acme")
    assert sorted(deals.values_list("name", flat=True)) == [
        "Acme",
        "Acme Gadget",
        "Acme Widget Pro",
        "Acme renewal",
    ]
    assert len({p.company_id for p in deals}) == 1  # one customer, four deals


def test_two_deals_of_one_customer_and_product_for_one_rep_are_still_duplicates(personas, widget):
    rows = [["account", "product"], ["Acme", "Widget Pro"], ["Acme", "Widget Pro"]]
    job = run_import(personas.owner, rows)
    assert job.error_count == 1
    assert (job.errors[0]["row"], job.errors[0]["column"], job.errors[0]["value"]) == (
        3,
        "account",
        "Acme Widget Pro",
    )
    # The value shown is a name the file never wrote: the reason says where it came from.
    assert job.errors[0]["reason"] == str(DUPLICATE_UNNAMED_IN_FILE % {"row": 2})


def test_a_deal_named_in_the_file_twice_is_a_plain_duplicate(personas, widget):
    rows = [
        ["name", "account", "product"],
        ["Acme renewal", "Acme", "Widget Pro"],
        ["Acme renewal", "Acme", ""],
    ]
    job = run_import(personas.owner, rows)
    assert [(e["row"], e["reason"]) for e in job.errors] == [(3, str(DUPLICATE_IN_FILE % {"row": 2}))]


def test_a_named_deal_and_an_unnamed_one_of_the_same_name_are_told_apart_by_the_unnamed_one(personas, widget):
    rows = [["name", "account", "product"], ["Acme Widget Pro", "", ""], ["", "Acme", "Widget Pro"]]
    job = run_import(personas.owner, rows)
    assert [(e["row"], e["reason"]) for e in job.errors] == [(3, str(DUPLICATE_UNNAMED_IN_FILE % {"row": 2}))]


def test_a_long_company_and_product_name_is_cut_to_the_name_field(personas):
    Product.objects.create(name="P" * 150, list_price=Decimal("1"))
    job = run_import(personas.owner, [["account", "product"], ["A" * 150, "P" * 150]])
    assert job.status == JobStatus.DONE, job.errors
    assert Prospect.objects.get(name__startswith="AAA").name == ("A" * 150 + " " + "P" * 150)[:200]


def test_the_dry_run_shows_the_product_and_the_filled_amount(personas, login, widget):
    job = create_job(personas.owner, csv_bytes([["顧客名", "product"], ["鈴木建設", "widget pro"]]))
    import_job_set_mapping(job=job, columns=job.mapping["columns"], values={}, fill_amount_from_product=True)
    job = import_job_preview(job=job)
    assert job.status == JobStatus.PREVIEWED and not job.error_count, job.errors
    preview = job.preview[0]
    assert (preview["product"], preview["amount"]) == ("Widget Pro", "250000.00")
    page = login(personas.owner).get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "Widget Pro</td>" in page  # the preview's product column
