"""The changes of a prospect, newest first, read a page at a time (the timeline of the detail page shows
them with the activities: tests/activities/test_pages.py); the detail page has no second history."""

import pytest
from django.db.models import F
from django.urls import reverse

from prospects.models import Prospect
from prospects.selectors import prospect_timeline, prospect_timeline_page

TIMELINE_EVENTS = 30  # a page of changes, as the prospect page's timeline reads them

pytestmark = pytest.mark.django_db


def _edit(prospect: Prospect, times: int) -> None:
    for i in range(times):
        Prospect.objects.filter(pk=prospect.pk).update(probability=(i * 7) % 100, version=F("version") + 1)


def test_a_long_history_shows_its_newest_changes_and_links_the_whole(personas, client):
    prospect = personas.prospect
    _edit(prospect, TIMELINE_EVENTS + 5)
    whole = prospect_timeline(prospect)
    assert len(whole) == TIMELINE_EVENTS + 6  # created, then every change

    page, older = prospect_timeline_page(prospect, TIMELINE_EVENTS)
    assert older and len(page) == TIMELINE_EVENTS
    # The oldest shown entry keeps its changes: it is diffed with the event after it, read too.
    assert [(e.version, [(c.field, c.old, c.new) for c in e.changes]) for e in page] == [
        (e.version, [(c.field, c.old, c.new) for c in e.changes]) for e in whole[:TIMELINE_EVENTS]
    ]
    assert page[-1].changes


def test_the_detail_page_shows_each_change_once_in_its_timeline(personas, client):
    prospect = personas.prospect
    _edit(prospect, 3)
    client.force_login(personas.owner)
    body = client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()
    assert body.count('<ol class="timeline') == 1  # the timeline only, no second "History" list
    timeline = body[body.index('id="timeline-items"') :]
    assert timeline.count('<li class="tl-change">') == 4  # created, then three changes


def test_a_short_history_is_read_whole(personas):
    prospect = personas.prospect
    _edit(prospect, 2)
    page, older = prospect_timeline_page(prospect, TIMELINE_EVENTS)
    assert not older and len(page) == 3 == len(prospect_timeline(prospect))
    _edit(prospect, TIMELINE_EVENTS - 3)  # exactly the limit: nothing left out
    page, older = prospect_timeline_page(prospect, TIMELINE_EVENTS)
    assert not older and len(page) == TIMELINE_EVENTS
