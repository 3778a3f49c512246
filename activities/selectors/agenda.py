"""The agenda (予定表): overdue, today's and this week's planned activities of a rep or a team."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from activities.models import Activity, ActivityStatus
from prospects.models import Prospect

# An agenda section shows at most this many (a heavy rep's overdue list runs to thousands): the oldest
# overdue and the soonest planned, with a note that more exist.
AGENDA_LIMIT = 30


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@dataclass
class Agenda:
    today: dt.date
    week_end: dt.date
    overdue: list[Activity] = field(default_factory=list)
    today_items: list[Activity] = field(default_factory=list)
    week: list[Activity] = field(default_factory=list)
    overdue_more: bool = False
    today_more: bool = False
    week_more: bool = False


def _planned(viewer: User | None, owner_ids: tuple[int, ...] | None) -> QuerySet[Activity]:
    # Open prospects only: closing a deal cancels its planned activities (closing.services), and this
    # subquery is also how the page reads the owners' prospects from the index.
    # The prospects as a subquery, not a join: PostgreSQL then hashes their ids (index only, on
    # prospect_open_owner) and reads the planned activities in date order (activity_planned_start),
    # instead of probing every prospect's plans (docs/performance.md, "The issue-18 pages at M").
    prospects = Prospect.objects.filter(status="open")
    if viewer is not None:
        prospects = prospects.visible_to(viewer)
    if owner_ids is not None:
        # Whose agenda: the prospect's owner, so a reassigned prospect's plans move with it.
        prospects = prospects.filter(owner_id__in=owner_ids)
    qs = Activity.objects.filter(status=ActivityStatus.PLANNED, prospect__in=prospects.values("pk"))
    return qs.select_related("kind", "prospect", "prospect__owner").only(
        "id",
        "starts_at",
        "all_day",
        "duration_minutes",
        "subject",
        "version",
        "status",
        "prospect__owner_id",
        "prospect_id",
        "kind_id",
        "kind__label_ja",
        "kind__label_en",
        "kind__code",
        "prospect__name",
        "prospect__status",
        "prospect__owner__username",
        "prospect__owner__first_name",
        "prospect__owner__last_name",
        "prospect__owner__is_active",
    )


def agenda_for(
    *, viewer: User | None, owner_ids: tuple[int, ...] | None, today: dt.date | None = None
) -> Agenda:
    """The planned activities on the open prospects of `owner_ids` (everyone with None) that `viewer`
    may see (no check with None: the morning email, for the user themselves): overdue (before today, oldest first), today's,
    and the rest of this week (to Sunday). Three queries whatever the number of reps."""
    today = today or timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())
    start, tomorrow = _midnight(today), _midnight(today + dt.timedelta(days=1))
    planned = _planned(viewer, owner_ids)
    overdue = list(planned.filter(starts_at__lt=start).order_by("starts_at", "id")[: AGENDA_LIMIT + 1])
    agenda = Agenda(today=today, week_end=week_end)
    agenda.overdue, agenda.overdue_more = overdue[:AGENDA_LIMIT], len(overdue) > AGENDA_LIMIT
    today_items = list(
        planned.filter(starts_at__gte=start, starts_at__lt=tomorrow).order_by("all_day", "starts_at", "id")[
            : AGENDA_LIMIT + 1
        ]
    )
    agenda.today_items, agenda.today_more = today_items[:AGENDA_LIMIT], len(today_items) > AGENDA_LIMIT
    if week_end > today:
        week = list(
            planned.filter(
                starts_at__gte=tomorrow, starts_at__lt=_midnight(week_end + dt.timedelta(days=1))
            ).order_by("starts_at", "id")[: AGENDA_LIMIT + 1]
        )
        agenda.week, agenda.week_more = week[:AGENDA_LIMIT], len(week) > AGENDA_LIMIT
    return agenda


def day_agenda(*, user: User, today: dt.date) -> Agenda:
    """The user's own overdue and today's planned activities (the morning email)."""
    return agenda_for(viewer=user, owner_ids=(user.pk,), today=today)


def due_activities(*, user: User, today: dt.date, limit: int = 20) -> list[Activity]:
    """Home's "next actions due": the user's own planned activities of today and before, on open
    prospects, oldest first (one query)."""
    tomorrow = _midnight(today + dt.timedelta(days=1))
    return list(_planned(user, (user.pk,)).filter(starts_at__lt=tomorrow).order_by("starts_at", "id")[:limit])
