"""The web inquiry form's public paths answer a signed-in user's browser as they answer anyone's: its
session is not read, its user not looked up, its cookie neither needed nor touched."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inbound.models import Inquiry
from salescrm.middleware import PUBLIC_PATH_PREFIXES
from tests.inbound.conftest import SITE, submission

pytestmark = pytest.mark.django_db


def _submit(client, form, n):
    """A new customer from a new address each time: the same work, whoever sends it."""
    return client.post(
        reverse("inbound:public_submit", args=[form.key]),
        submission(form, email=f"n{n}@example.jp", company=f"新規{n}", name=f"新規 {n}", phone=""),
        headers={"Origin": SITE, "Accept": "application/json"},
        REMOTE_ADDR=f"203.0.113.{n}",
    )


def test_the_public_urls_are_the_public_paths(inquiry_form):
    for url in (
        reverse("inbound:public_form", args=[inquiry_form.key]),
        reverse("inbound:public_token", args=[inquiry_form.key]),
        reverse("inbound:public_submit", args=[inquiry_form.key]),
        reverse("inbound:embed_js"),
    ):
        assert url.startswith(PUBLIC_PATH_PREFIXES), url
    assert not reverse("inbound:forms").startswith(PUBLIC_PATH_PREFIXES)


def test_a_signed_in_users_submission_reads_no_session_and_leaves_the_cookie_alone(
    personas, client, inquiry_form
):
    with CaptureQueriesContext(connection) as anonymous:
        _submit(Client(), inquiry_form, 1)
    client.force_login(personas.admin)
    with CaptureQueriesContext(connection) as ctx:
        response = _submit(client, inquiry_form, 2)
    assert response.status_code == 200 and response.json()["ok"] is True
    assert not any("django_session" in q["sql"] for q in ctx.captured_queries)
    assert len(ctx) == len(anonymous)
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Inquiry.objects.filter(prospect__isnull=False).count() == 2
    # Still signed in: the session was neither read nor ended.
    assert client.get(reverse("inbound:forms")).status_code == 200


def test_the_form_page_and_the_embed_script_are_the_same_for_a_signed_in_user(personas, client, inquiry_form):
    anonymous = client.get(reverse("inbound:embed_js"))
    client.force_login(personas.admin)
    with CaptureQueriesContext(connection) as ctx:
        script = client.get(reverse("inbound:embed_js"))
    assert len(ctx) == 0
    # A signed-in user's pages are private, no-store; the script is no such page.
    assert script["Cache-Control"] == anonymous["Cache-Control"] == "public, max-age=3600"
    page = client.get(reverse("inbound:public_form", args=[inquiry_form.key]))
    assert page.status_code == 200 and "csrfmiddlewaretoken" not in page.content.decode()
    assert settings.SESSION_COOKIE_NAME not in page.cookies
