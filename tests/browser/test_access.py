"""Flow 5: a rep who pastes another rep's prospect URL sees the not-found page, nothing of the prospect."""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_FOUND = "This page does not exist, or you do not have access to it."


def test_a_rep_who_opens_another_reps_prospect_url_gets_the_japanese_not_found_page(app, crm, open_page):
    with translation.override("ja"):
        expected = translation.gettext(NOT_FOUND)
    page = open_page(crm.outsider)
    for path in (f"/prospects/{crm.prospect.pk}/", f"/prospects/{crm.prospect.pk}/edit/"):
        response = page.goto(f"{app}{path}")
        assert response is not None and response.status == 404, path
        expect(page.locator("main")).to_contain_text(expected)
        expect(page.locator("body")).not_to_contain_text(crm.prospect.name)
    support.assets_loaded(page)
    support.shot(page, "flow5-not-found")
    assert expected != NOT_FOUND, "the not-found text has no Japanese translation"
