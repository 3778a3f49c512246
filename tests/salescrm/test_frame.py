"""The page frame (base.html) is rendered for each request: a rep never sees the admin's menu, a
Japanese page never the English one, and no request sees another's token, path, name or count."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_menu_follows_the_role(personas, client):
    client.force_login(personas.admin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()
    client.force_login(personas.owner)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()


def test_the_menu_follows_the_language(personas, client):
    client.force_login(personas.owner)
    client.cookies["django_language"] = "en"
    assert ">Board<" in client.get(reverse("home")).content.decode()
    client.cookies["django_language"] = "ja"
    body = client.get(reverse("home")).content.decode()
    assert ">Board<" not in body and "ボード" in body


def test_the_bar_keeps_each_pages_csrf_token_path_name_and_count(personas, client):
    import re

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
