"""The calendar feed: a user's own planned activities as iCalendar (RFC 5545), written by the
`icalendar` library so that Google Calendar and Outlook read it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from accounts.models import User
from activities.models import Activity, ActivityStatus

# Past items a subscriber still sees (an overdue planned activity stays until done or moved).
FEED_PAST_DAYS = 30
FEED_MAX_ITEMS = 2000


def feed_activities(user: User) -> list[Activity]:
    """The planned activities of the user's own open prospects (a reassigned prospect's go with it), from
    a month back."""
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    return list(
        Activity.objects.visible_to(user)
        .filter(
            prospect__owner_id=user.pk,
            status=ActivityStatus.PLANNED,
            prospect__status="open",
            starts_at__gte=since,
        )
        .select_related("kind", "prospect")
        .order_by("starts_at", "id")[:FEED_MAX_ITEMS]
    )


def calendar_feed(user: User) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//salescrm//activities//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"salescrm: {user.display_name}")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for activity in feed_activities(user):
        event = Event()
        event.add("uid", f"activity-{activity.pk}@salescrm")
        event.add("dtstamp", stamp)
        summary = f"{activity.kind.label}: {activity.prospect.name}"
        event.add("summary", f"{summary} — {activity.subject}" if activity.subject else summary)
        local = timezone.localtime(activity.starts_at)
        if activity.all_day:
            event.add("dtstart", local.date())
            event.add("dtend", local.date() + dt.timedelta(days=1))
        else:
            event.add("dtstart", local)
            event.add("dtend", local + dt.timedelta(minutes=activity.duration_minutes or 30))
        event.add("sequence", activity.version)
        calendar.add_component(event)
    return calendar.to_ical()
