import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from prospects.models import Prospect

pytestmark = pytest.mark.django_db


def test_a_column_shows_at_most_the_configured_cards_but_counts_them_all(personas, client, settings):
    settings.BOARD_CARDS_PER_COLUMN = 3
    Prospect.objects.bulk_create(
        [
            Prospect(
                name=f"S{i}",
                owner=personas.owner,
                source="flyer",
                horizon="short",
                amount=Decimal(100 * (i + 1)),
                probability=50,
                expected_month=dt.date(2026, 12, 1),
            )
            for i in range(5)
        ]
    )
    client.force_login(personas.owner)
    response = client.get(reverse("pipeline:board"))
    short = next(c for c in response.context["columns"] if c.horizon == "short")
    assert short.count == 5 and short.amount == Decimal(1500)
    # the soonest month first, then the largest weighted amount
    assert [p.name for p in short.cards] == ["S4", "S3", "S2"]
    body = response.content.decode()
    assert f"?horizon=short&amp;owner={personas.owner.pk}" in body
    mid = next(c for c in response.context["columns"] if c.horizon == "mid")
    assert len(mid.cards) == mid.count == 1  # 山田工務店: no link when all are shown
