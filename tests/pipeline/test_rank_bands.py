import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from pipeline.models import RankBands
from pipeline.services import rank_bands_update

pytestmark = pytest.mark.django_db


def test_default_bands_are_80_and_50():
    bands = RankBands.load()
    assert [bands.rank(p) for p in (100, 80, 79, 50, 49, 0)] == ["A", "A", "B", "B", "C", "C"]


def test_a_must_be_above_b_in_the_service_and_the_database(personas):
    with pytest.raises(ValidationError):
        rank_bands_update(by=personas.admin, a_min=50, b_min=50)
    with pytest.raises(ValidationError):
        rank_bands_update(by=personas.admin, a_min=101, b_min=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        RankBands.objects.create(pk=1, a_min=40, b_min=60)
    with pytest.raises(IntegrityError), transaction.atomic():
        RankBands.objects.create(pk=2, a_min=90, b_min=60)  # a singleton


def test_admin_edits_the_bands_and_history_records_it(personas, client):
    client.force_login(personas.admin)
    assert client.get(reverse("pipeline:rank_bands")).status_code == 200
    response = client.post(reverse("pipeline:rank_bands"), {"a_min": 70, "b_min": 40})
    assert response.status_code == 302
    bands = RankBands.load()
    assert (bands.a_min, bands.b_min) == (70, 40) and bands.rank(70) == "A"
    assert RankBands.pgh_event_model.objects.filter(a_min=70).exists()


def test_invalid_bands_are_refused_with_a_reason(personas, client):
    client.force_login(personas.admin)
    response = client.post(reverse("pipeline:rank_bands"), {"a_min": 30, "b_min": 60})
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    assert RankBands.load().a_min == 80


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_only_admins_may_edit_the_bands(personas, client, who):
    client.force_login(getattr(personas, who))
    assert client.post(reverse("pipeline:rank_bands"), {"a_min": 70, "b_min": 40}).status_code == 403
    assert RankBands.load().a_min == 80
