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


def test_the_cached_bar_keeps_each_pages_csrf_token_path_name_and_count(personas, client):
    """Only the language-only parts of the top bar are cached: the CSRF fields, the language form's
    return path, the user's name and the bell's count are the request's own."""
    import re

    cache.clear()
    client.force_login(personas.owner)
    first = client.get(reverse("home")).content.decode()
    client.force_login(personas.manager)
    second = client.get(reverse("prospects:list")).content.decode()
    assert (
        personas.manager.display_name in second
        and personas.owner.display_name not in second.split("<main")[0]
    )
    assert 'name="next" value="/prospects/"' in second
    tokens = [re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page) for page in (first, second)]
    assert len(tokens[0]) >= 2 and len(tokens[1]) >= 2 and set(tokens[0]).isdisjoint(tokens[1])
    assert 'id="bell-count"' in first and 'id="bell-count"' in second
