"""Flow 4: two people edit the same prospect at once; the second save is refused and loses nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from prospects.models import Prospect
from tests.browser import support

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_second_of_two_simultaneous_saves_shows_the_conflict_and_keeps_both_edits(app, crm, open_page):
    prospect = crm.prospect
    rep = open_page(crm.owner, viewport=support.PHONE)
    manager = open_page(crm.manager, viewport=support.DESKTOP)
    edit_url = f"{app}/prospects/{prospect.pk}/edit/"
    rep.goto(edit_url)
    manager.goto(edit_url)
    support.assets_loaded(rep)

    # Both forms are open; the rep saves first.
    rep.locator("#id_probability").fill("70")
    rep.locator("#id_phone").fill("03-5555-0101")
    rep.locator("form.prospect-form button[type=submit]").click()
    expect(rep).to_have_url(f"{app}/prospects/{prospect.pk}/")

    # The manager, still on the old version, saves other values.
    manager.locator("#id_amount").fill("3300000")
    manager.locator("#id_notes").fill("社長と面談済み。来月決裁。")
    with manager.expect_response(re.compile(rf"/prospects/{prospect.pk}/edit/$")) as response:
        manager.locator("form.prospect-form button[type=submit]").click()
    assert response.value.status == 409
    conflict = manager.locator(".alert.conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("03-5555-0101")  # what the rep changed is shown to the manager
    support.shot(manager, "flow4-conflict", full_page=True)

    # Nothing lost: the rep's save is in the database, the manager's typing is still in the form.
    saved = Prospect.objects.get(pk=prospect.pk)
    assert (saved.probability, saved.phone) == (70, "03-5555-0101")
    assert saved.amount == prospect.amount and saved.notes == prospect.notes
    expect(manager.locator("#id_amount")).to_have_value("3300000")
    expect(manager.locator("#id_notes")).to_have_value("社長と面談済み。来月決裁。")

    # Saving again after reading the conflict is a conscious overwrite of the fields the manager sent.
    manager.locator("form.prospect-form button[type=submit]").click()
    expect(manager).to_have_url(f"{app}/prospects/{prospect.pk}/")
    saved.refresh_from_db()
    assert saved.amount == 3300000 and saved.notes == "社長と面談済み。来月決裁。"
