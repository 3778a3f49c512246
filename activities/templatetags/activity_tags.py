from __future__ import annotations

from dataclasses import dataclass

from django import template

from activities.models import Activity
from activities.selectors import TimelinePage, next_planned, prospect_timeline_page

register = template.Library()


@dataclass
class ActivitySections:
    next: Activity | None
    timeline: TimelinePage


@register.simple_tag
def activity_sections(prospect) -> ActivitySections:
    """The prospect page's activity sections: its next planned activity and the timeline's first page
    (a constant number of queries)."""
    return ActivitySections(next=next_planned(prospect), timeline=prospect_timeline_page(prospect, 1))
