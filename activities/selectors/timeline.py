"""The prospect page's timeline: activities, test closings and recorded changes (outcomes and
reopenings among them), newest first, a page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from activities.models import Activity
from salescrm.lib.params import parse_page

TIMELINE_PAGE_SIZE = 10
# Deeper pages read page x size rows of each source; past this the whole history is one link away.
TIMELINE_MAX_PAGE = 50


@dataclass
class TimelineItem:
    at: dt.datetime
    kind: str  # "activity", "test_closing", "change"
    item: Any


@dataclass
class TimelinePage:
    items: list[TimelineItem]
    number: int
    has_older: bool

    @property
    def older_number(self) -> int:
        return self.number + 1


def _page_number(raw: object) -> int:
    return min(parse_page(raw), TIMELINE_MAX_PAGE)


def prospect_timeline_page(prospect, page: object = 1, size: int = TIMELINE_PAGE_SIZE) -> TimelinePage:
    """Page `page` of the prospect's timeline. Each source is read newest first, as far as this page
    reaches (one query each, three or four in all whatever the history's length), then merged."""
    from prospects.selectors import prospect_timeline_page as change_page

    number = _page_number(page)
    reach = number * size
    activities = list(
        Activity.objects.filter(prospect_id=prospect.pk)
        .select_related("kind", "owner")
        .order_by("-starts_at", "-id")[: reach + 1]
    )
    closings = list(
        prospect.test_closings.select_related("asked_by").order_by("-asked_at", "-id")[: reach + 1]
    )
    changes, more_changes = change_page(prospect, reach)
    merged = [TimelineItem(a.starts_at, "activity", a) for a in activities]
    merged += [TimelineItem(tc.asked_at, "test_closing", tc) for tc in closings]
    merged += [TimelineItem(entry.at, "change", entry) for entry in changes]
    merged.sort(key=lambda entry: entry.at, reverse=True)
    has_older = len(merged) > reach or more_changes
    return TimelinePage(
        items=merged[(number - 1) * size : reach],
        number=number,
        has_older=has_older and number < TIMELINE_MAX_PAGE,
    )
