"""Permission-aware reads of activities: one module per page or use."""

from activities.selectors.access import access_activity
from activities.selectors.agenda import Agenda, agenda_for, day_agenda, due_activities
from activities.selectors.next import (
    NEXT_ACTIVITY_FIELDS,
    attach_next_activities,
    next_activity_columns,
    next_planned,
    next_planned_annotation,
    planned_matching,
    with_next_planned,
)
from activities.selectors.timeline import TIMELINE_PAGE_SIZE, TimelinePage, prospect_timeline_page

__all__ = [
    "NEXT_ACTIVITY_FIELDS",
    "TIMELINE_PAGE_SIZE",
    "Agenda",
    "TimelinePage",
    "access_activity",
    "agenda_for",
    "attach_next_activities",
    "day_agenda",
    "due_activities",
    "next_activity_columns",
    "next_planned",
    "next_planned_annotation",
    "planned_matching",
    "prospect_timeline_page",
    "with_next_planned",
]
