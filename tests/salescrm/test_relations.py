"""loaded_relations: the foreign keys full_clean need not check, because their record was read from the
database; a create given such records asks no existence query, one given an id still checks it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Company
from prospects.models import Prospect
from prospects.services import prospect_create
from salescrm.lib.relations import loaded_relations

pytestmark = pytest.mark.django_db


def test_only_relations_read_from_the_database_are_listed(personas):
    saved = Company.objects.create(name="株式会社みなと")
    assert loaded_relations(Prospect(owner=personas.owner, company=saved)) == ["owner", "company"]
    assert loaded_relations(Prospect(owner_id=personas.owner.pk)) == []  # an id alone: checked
    assert loaded_relations(Prospect(owner=personas.owner, company=Company(name="新規"))) == ["owner"]


def _existence_checks(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT 1 AS "a"')]


def test_a_create_with_records_asks_no_existence_query(personas):
    company = Company.objects.get(pk=Company.objects.create(name="株式会社みなと").pk)
    with CaptureQueriesContext(connection) as ctx:
        prospect_create(
            by=personas.owner, owner=personas.owner, name="屋根", company=company, source="referral"
        )
    assert _existence_checks(ctx.captured_queries) == []


def test_an_id_that_names_no_record_is_still_a_validation_error(personas):
    with pytest.raises(ValidationError) as raised:
        prospect_create(
            by=personas.owner, owner=personas.owner, name="屋根", company_id=999_999_999, source="referral"
        )
    assert "company" in raised.value.message_dict
