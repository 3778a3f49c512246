from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from prospects.models import Prospect, Status
from targets.models import PipelineTarget
from tests.conftest import make_prospect

NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def set_target(**kw) -> PipelineTarget:
    return PipelineTarget.objects.create(**kw)


def close(prospect: Prospect, status: str, on: dt.date) -> None:
    extra = {"won_amount": prospect.amount} if status == Status.WON else {"lost_reason": "price"}
    Prospect.objects.filter(pk=prospect.pk).update(status=status, closed_on=on, **extra)


def aged(owner, *, days: int, now: dt.datetime = NOW, **fields) -> Prospect:
    return make_prospect(owner, created_at=now - dt.timedelta(days=days), **fields)


@pytest.fixture
def now():
    return NOW
