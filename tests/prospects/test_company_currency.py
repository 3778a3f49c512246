"""The company has one currency (settings.COMPANY_CURRENCY, JPY by default): every amount is shown,
rounded and summed in it, and the per-prospect currency is gone without losing one silently."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from prospects.models import Prospect
from salescrm.templatetags.crm import format_money

BEFORE = ("prospects", "0015_open_updated_index")
AFTER = ("prospects", "0016_single_company_currency")


def test_money_is_written_in_the_company_currency(settings):
    assert format_money(Decimal("1080000.40")) == "¥1,080,000"
    settings.COMPANY_CURRENCY = "USD"
    assert format_money(Decimal("1080000.405")) == "$1,080,000.41"
    settings.COMPANY_CURRENCY = "CHF"
    assert format_money(Decimal("12.5")) == "12.50 CHF"


def test_a_prospect_has_no_currency_of_its_own():
    assert "currency" not in {f.name for f in Prospect._meta.get_fields()}


@pytest.mark.django_db
def test_the_form_no_longer_offers_a_currency(personas, client):
    client.force_login(personas.owner)
    assert 'name="currency"' not in client.get(reverse("prospects:create")).content.decode()


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Whatever the test leaves, every app ends fully migrated again for the tests after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_refuses_to_count_another_currency_as_the_companys(
    personas, monkeypatch, back_to_the_latest_schema
):
    old = _migrate(BEFORE)
    Prospect0015 = old.get_model("prospects", "Prospect")
    usd = Prospect0015.objects.create(
        name="Acme Inc.", source="other", owner_id=personas.owner.pk, amount=Decimal(5000), currency="USD"
    )
    with pytest.raises(
        RuntimeError,
        match=rf"1 prospect\(s\) have a currency other than COMPANY_CURRENCY=JPY \(ids {usd.pk}\)",
    ):
        _migrate(AFTER)
    assert Prospect0015.objects.get(pk=usd.pk).currency == "USD"  # nothing changed
    # Converted with the previous version: the history still holds USD, so a backup is asked for first.
    Prospect0015.objects.filter(pk=usd.pk).update(currency="JPY", amount=Decimal(750000))
    with pytest.raises(RuntimeError, match="SALESCRM_DROP_CURRENCY_HISTORY=1"):
        _migrate(AFTER)
    monkeypatch.setenv("SALESCRM_DROP_CURRENCY_HISTORY", "1")
    after = _migrate(AFTER)
    migrated = after.get_model("prospects", "Prospect").objects.get(pk=usd.pk)
    assert migrated.amount == Decimal(750000) and not hasattr(migrated, "currency")
