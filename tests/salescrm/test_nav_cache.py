"""The main menu is rendered once per language and role (base.html caches it): a rep must never be
served the admin's menu, nor a Japanese page the English one."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_cached_menu_is_per_role(personas, client):
    cache.clear()
    client.force_login(personas.admin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
    client.force_login(personas.owner)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()


def test_the_cached_menu_is_per_language(personas, client):
    cache.clear()
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    assert ">Board<" in client.get(reverse("home")).content.decode()
    client.cookies["django_language"] = "ja"
    body = client.get(reverse("home")).content.decode()
    assert ">Board<" not in body and "ボード" in body
