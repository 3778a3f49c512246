"""A manager's bulk change from the prospect list: reassign, horizon or expected month of the ticked rows,
only within what they may see, each change a history event with a new version, and a row someone else
changed since the list was shown reported, not overwritten."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from prospects.models import Prospect
from tests.conftest import make_prospect

pytestmark = pytest.mark.django_db


def _seen(*prospects) -> list[str]:
    return [f"{p.pk}:{p.version}" for p in prospects]


def _events(prospect):
    return Prospect.pgh_event_models["update"].objects.filter(pgh_obj=prospect).select_related("pgh_context")


def test_manager_reassigns_ticked_prospects_recorded_with_the_manager(personas, client):
    a, b = personas.prospect, make_prospect(personas.owner, name="二件目")
    client.force_login(personas.manager)
    response = client.post(
        reverse("prospects:bulk"),
        {"action": "owner", "owner": personas.teammate.pk, "selected": _seen(a, b), "back": "status=open"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("prospects:list") + "?status=open"
    for p in (a, b):
        old_version = p.version
        p.refresh_from_db()
        assert p.owner_id == personas.teammate.pk and p.version == old_version + 1
        event = _events(p).latest("pgh_id")
        assert event.owner_id == personas.teammate.pk
        assert event.pgh_context.metadata["user"] == personas.manager.pk


def test_a_row_changed_by_someone_else_since_the_list_was_shown_is_reported_not_overwritten(personas, client):
    stale = personas.prospect
    seen = _seen(stale)
    Prospect.objects.filter(pk=stale.pk).update(
        horizon="short", version=stale.version + 1
    )  # a teammate's save
    fresh = make_prospect(personas.owner, name="最新", horizon="long")
    client.force_login(personas.manager)
    response = client.post(
        reverse("prospects:bulk"),
        {"action": "horizon", "horizon": "mid", "selected": [*seen, *_seen(fresh)]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.horizon == "short" and stale.version == 2
    assert fresh.horizon == "mid"
    text = response.content.decode()
    assert stale.name in text and "他の人が変更" in text


def test_rows_outside_the_managers_view_are_left_alone(personas, client):
    theirs = make_prospect(personas.outsider, name="他チーム")
    client.force_login(personas.manager)
    client.post(
        reverse("prospects:bulk"),
        {"action": "owner", "owner": personas.teammate.pk, "selected": _seen(theirs)},
    )
    theirs.refresh_from_db()
    assert theirs.owner_id == personas.outsider.pk and theirs.version == 1


def test_a_new_owner_outside_the_managers_teams_is_refused(personas, client):
    client.force_login(personas.manager)
    client.post(
        reverse("prospects:bulk"),
        {"action": "owner", "owner": personas.outsider.pk, "selected": _seen(personas.prospect)},
    )
    personas.prospect.refresh_from_db()
    assert personas.prospect.owner_id == personas.owner.pk


def test_a_later_expected_month_counts_as_a_slip(personas, client):
    p = make_prospect(personas.owner, expected_month=dt.date(2027, 1, 1))
    none_yet = make_prospect(personas.owner, expected_month=None)
    client.force_login(personas.manager)
    client.post(
        reverse("prospects:bulk"),
        {"action": "expected_month", "expected_month": "2027-03", "selected": _seen(p, none_yet)},
    )
    p.refresh_from_db()
    none_yet.refresh_from_db()
    assert p.expected_month == dt.date(2027, 3, 1) and p.expected_month_slips == 1
    assert none_yet.expected_month == dt.date(2027, 3, 1) and none_yet.expected_month_slips == 0


@pytest.mark.parametrize(
    "data",
    [
        {"action": "owner", "selected": ["1:1"]},  # no new owner
        {"action": "horizon", "horizon": "mid"},  # nothing ticked
        {"action": "horizon", "horizon": "mid", "selected": ["x:\x00"]},
        {"action": "nonsense", "selected": ["1:1"]},
    ],
)
def test_bad_input_is_a_message_and_changes_nothing(personas, client, data):
    client.force_login(personas.manager)
    response = client.post(reverse("prospects:bulk"), data, follow=True)
    assert response.status_code == 200
    personas.prospect.refresh_from_db()
    assert personas.prospect.version == 1
    assert [m.level_tag for m in response.context["messages"]] and all(
        m.level_tag == "error" for m in response.context["messages"]
    )


def test_a_rep_may_not_bulk_change(personas, client):
    client.force_login(personas.owner)
    response = client.post(
        reverse("prospects:bulk"),
        {"action": "horizon", "horizon": "short", "selected": _seen(personas.prospect)},
    )
    assert response.status_code == 403


def test_the_list_offers_ticks_to_a_manager_only_on_open_rows(personas, client):
    make_prospect(personas.owner, name="受注済み", status="won", closed_on=dt.date(2026, 11, 2), won_amount=1)
    client.force_login(personas.manager)
    html = client.get(reverse("prospects:list"), {"status": ""}).content.decode()
    assert 'id="bulk-form"' in html
    assert f'value="{personas.prospect.pk}:{personas.prospect.version}" form="bulk-form"' in html
    assert html.count('name="selected"') == 1
    client.force_login(personas.owner)
    assert 'id="bulk-form"' not in client.get(reverse("prospects:list")).content.decode()


@pytest.mark.parametrize(
    "back", ["status=open&page=2", "x\r\nLocation: https://evil.example/", "//evil.example"]
)
def test_the_way_back_to_the_list_stays_on_the_list(personas, client, back):
    client.force_login(personas.manager)
    response = client.post(
        reverse("prospects:bulk"),
        {"action": "horizon", "horizon": "mid", "selected": _seen(personas.prospect), "back": back},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert (
        location.startswith(reverse("prospects:list"))
        and "\n" not in location
        and "evil.example/" not in location.split("?")[0]
    )
