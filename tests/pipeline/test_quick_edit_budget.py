"""The board's quick edit offers to take over a budget that a test-closing answer revealed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from prospects.models import Prospect
from tests.factories import TestClosingFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _quick_edit(client, prospect) -> str:
    return client.get(reverse("pipeline:card_edit", args=[prospect.pk]), **HX).content.decode()


def test_the_newest_revealed_budget_is_offered_as_the_amount(personas, client):
    p = personas.prospect
    Prospect.objects.filter(pk=p.pk).update(amount=Decimal(1000000))
    TestClosingFactory(
        prospect=p, revealed_budget=Decimal(900000), asked_at=timezone.now() - dt.timedelta(days=20)
    )
    TestClosingFactory(prospect=p, revealed_budget=Decimal(1500000))
    TestClosingFactory(prospect=p, revealed_budget=None)  # the newest answer revealed no budget
    client.force_login(personas.owner)
    body = _quick_edit(client, p)
    assert "予算 ¥1,500,000 が判明しています" in body
    assert f'data-fill="#card-{p.pk} [name=amount]" data-value="1500000"' in body
    assert "¥900,000" not in body


def test_nothing_is_offered_without_a_revealed_budget_or_when_it_is_the_amount(personas, client):
    p = personas.prospect
    client.force_login(personas.owner)
    assert "data-fill" not in _quick_edit(client, p)
    TestClosingFactory(prospect=p, revealed_budget=p.amount)
    assert "data-fill" not in _quick_edit(client, p)
