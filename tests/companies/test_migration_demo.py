"""The data migration companies 0002 on a copy of the demo company (#19): seed_demo, then companies 0002
unapplied and applied again, and every prospect's text value found on its company and contact with the
counts adding up (companies.conversion_check, the same check bin/check-directory-migration runs at M)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from companies.conversion_check import Report, prospect_texts, verify
from companies.models import Company, Contact
from prospects.models import Prospect


def _migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_demo_companys_prospect_text_survives_the_conversion_to_companies_and_contacts():
    call_command("seed_demo", verbosity=0)
    before = prospect_texts()
    assert len(before) >= 300
    try:
        _migrate([("companies", "0001_directory")])
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        report = verify(before)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert report.ok, "\n".join(report.lines())
    assert report.prospects_after == report.prospects_before == Prospect.objects.count()
    assert report.companies == Company.objects.count() > 0
    assert report.contacts == Contact.objects.count() > 0
    assert report.values_checked == 5 * len(before)


@pytest.mark.django_db
def test_the_check_fails_on_a_value_lost_on_the_way_and_on_a_record_too_many(personas):
    """The check itself can fail: a company whose phone is not the prospect's, and one no text made."""
    before = prospect_texts()
    prospect = personas.prospect
    company = Company.objects.create(name=prospect.name, phone="099-9999-9999", address=prospect.address)
    Prospect.objects.filter(pk=prospect.pk).update(company=company, contact=None)
    Company.objects.create(name="誰のものでもない会社")
    report: Report = verify(before)
    assert not report.ok
    text = "\n".join(report.problems)
    assert f"prospect {prospect.pk}: company {company.pk} holds" in text
    assert "companies for" in text
