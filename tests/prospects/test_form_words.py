"""The new-prospect form speaks the user's language in every option."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_owner_select_of_a_manager_has_a_japanese_empty_choice(personas, client):
    client.force_login(personas.manager)
    body = client.get(reverse("prospects:create"), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    select = body[body.index('name="owner"') : body.index("</select>", body.index('name="owner"'))]
    assert '<option value="">— 担当者を選択 —</option>' in select and "---------" not in select
