from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from salescrm.lib.months import this_month


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def month(today) -> dt.date:
    return this_month(today)


def htmx_headers() -> dict:
    return {"HTTP_HX_REQUEST": "true"}
