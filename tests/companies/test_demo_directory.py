"""The demo company's customers (#19): its prospects belong to companies and contacts (households to a
contact alone), and a few companies sit under two spellings for a manager to merge (名寄せ)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from companies.demo import merge_candidates
from companies.models import Company, Contact
from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def test_the_demo_company_has_companies_contacts_and_near_duplicates_to_merge():
    call_command("seed_demo", verbosity=0)
    assert Company.objects.count() >= 50 and Contact.objects.count() >= 100
    households = Prospect.objects.filter(name__contains="様邸")
    assert households.exists() and not households.filter(contact__isnull=True).exists()
    assert not households.filter(company__isnull=False).exists()
    assert not Prospect.objects.exclude(name__contains="様邸").filter(company__isnull=True).exists()
    assert Company.objects.exclude(corporate_number="").exists()
    pairs = merge_candidates()
    assert len(pairs) >= 3
    names = {(kept.name, *(c.name for c in same)) for kept, same in pairs}
    assert ("株式会社みなと工務店", "ﾐﾅﾄ工務店(株)") in names
    for kept, same in pairs:
        # Both spellings carry deals, under different reps where the company had more than one.
        assert kept.prospects.exists() and all(c.prospects.exists() for c in same)
