from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

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


@register.simple_tag
def agenda_items(items, *, css: str, show_owner: bool, done_label: str) -> SafeString:
    """An agenda section's items, from the Jinja2 template activities/_agenda_items.html (a team's
    agenda renders up to 90 of them)."""
    html = (
        engines["jinja2"]
        .get_template("activities/_agenda_items.html")
        .render({"items": items, "css": css, "show_owner": show_owner, "done_label": done_label})
    )
    return mark_safe(html)  # the output of an autoescaping template
