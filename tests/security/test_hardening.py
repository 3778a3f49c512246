"""Findings of the outside probe (issue 16), one test each: odd input gets a clear refusal, never a 500."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_login_with_a_username_too_long_is_a_form_error_before_the_throttle(personas, length):
    client = Client(raise_request_exception=True)
    response = client.post(reverse("login"), {"username": "u" * length, "password": "x"})
    assert response.status_code in (200, 422)
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_a_login_with_a_username_at_the_limit_is_an_ordinary_failed_attempt(personas):
    response = Client().post(reverse("login"), {"username": "u" * 150, "password": "x"})
    assert response.status_code in (200, 422)
    assert AccessAttempt.objects.get().username == "u" * 150
