"""Permission-aware reads of activities: one module per page or use."""

from activities.selectors.access import access_activity
from activities.selectors.agenda import Agenda, agenda_for, day_agenda, due_activities
from activities.selectors.next import next_planned, next_planned_annotation, with_next_planned
from activities.selectors.timeline import TIMELINE_PAGE_SIZE, TimelinePage, prospect_timeline_page

__all__ = [
    "TIMELINE_PAGE_SIZE",
    "Agenda",
    "TimelinePage",
    "access_activity",
    "agenda_for",
    "day_agenda",
    "due_activities",
    "next_planned",
    "next_planned_annotation",
    "prospect_timeline_page",
    "with_next_planned",
]
