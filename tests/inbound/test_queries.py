"""The inquiry form's POST in a fixed number of queries, whatever the data size (the bench's
inbound.submit; docs/performance.md): the form, the rate limit, the inquiry, then one transaction (its
BEGIN and COMMIT count, as SAVEPOINT and RELEASE here): the round robin, its rep, the company and
contact matches, what is new of them, the prospect, the webhook subscriptions, the inquiry's claim and
the notification."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import Company, Contact
from inbound.models import Inquiry
from tests.conftest import make_user
from tests.inbound.conftest import SITE, submission

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = 15
KNOWN_CUSTOMER = 13


def _queries(form, **extra) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = Client().post(
            reverse("inbound:public_submit", args=[form.key]),
            submission(form, **extra),
            headers={"Origin": SITE, "Accept": "application/json"},
            REMOTE_ADDR="203.0.113.7",
        )
    assert response.status_code == 200 and response.json()["ok"] is True
    assert Inquiry.objects.filter(prospect__isnull=False).exists()
    return len(ctx)


def test_a_new_customers_inquiry(personas, inquiry_form):
    assert _queries(inquiry_form) == NEW_CUSTOMER


def test_a_known_customers_inquiry(personas, inquiry_form):
    company = Company.objects.create(name="株式会社テスト", phone="03-1234-5678")
    Contact.objects.create(name="山田 花子", email="hanako@example.jp", company=company)
    assert _queries(inquiry_form) == KNOWN_CUSTOMER


def test_a_known_contact_brings_its_company_in_the_same_query(personas, inquiry_form):
    company = Company.objects.create(name="山田商店")
    contact = Contact.objects.create(name="山田 花子", email="hanako@example.jp", company=company)
    assert _queries(inquiry_form, company="山田商店 本店", phone="") == KNOWN_CUSTOMER
    prospect = Inquiry.objects.get().prospect
    assert prospect.contact == contact and prospect.company == company
    assert Company.objects.count() == 1


def test_the_count_does_not_grow_with_the_data(personas, inquiry_form):
    for i in range(20):
        rep = make_user(f"rep{i}")
        personas.team.members.add(rep)
        company = Company.objects.create(name=f"他社{i}", phone=f"03-9999-{i:04d}")
        Contact.objects.create(name=f"他人 {i}", email=f"other{i}@example.jp", company=company)
    assert _queries(inquiry_form) == NEW_CUSTOMER
    assert _queries(inquiry_form, email="again@example.jp") == KNOWN_CUSTOMER  # its company is known now
