"""/favicon.ico answers on every site (browsers ask for it), and every page links the icon."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_icon_without_login(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"] == static("favicon.svg")
    icon = finders.find("favicon.svg")
    assert icon and Path(icon).read_text(encoding="utf-8").startswith("<svg")


def test_every_page_links_the_icon(client):
    body = client.get("/accounts/login/").content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in body
