"""Reads of the daily report: a day's figures computed from what reps logged, one rep's day item by
item, a team's day (who submitted, who has not), a report with its comments, and the rep's new
comments. Every read filters through the visibility rule (visible_to) first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import CharField, Count, F, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import visible_users
from accounts.models import Role, User
from activities.models import Activity, ActivityStatus, LeadActivity
from closing.models import TestClosing
from prospects.models import Prospect, Status
from reports.models import FIGURE_FIELDS, DailyReport, DailyReportComment
from salescrm.lib import params

# A section of one rep's day lists at most this many items (its count is exact).
ITEMS_LIMIT = 50

FIGURE_LABELS = {
    "activities_done": _("Activities done"),
    "prospects_created": _("Prospects created"),
    "test_closings": _("Test closings asked"),
    "outcomes": _("Outcomes recorded"),
    "lead_activities": _("Lead activities logged"),
    "planned_next": _("Planned for the next working day"),
}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def next_working_day(day: dt.date) -> dt.date:
    """The next weekday after `day`: a Friday's report plans Monday (and the weekend in between)."""
    nxt = day + dt.timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += dt.timedelta(days=1)
    return nxt


def _sections(viewer: User, owner_ids: tuple[int, ...], day: dt.date) -> dict[str, QuerySet]:
    """One queryset per figure: the rows of `day` (company time zone) of the reps `owner_ids`, of what
    `viewer` may see. An activity counts on the day it was marked done (what the rep logged that day);
    a lead activity on its date; an outcome on its close date; the plan runs to the next weekday."""
    start, end = _midnight(day), _midnight(day + dt.timedelta(days=1))
    plan_end = _midnight(next_working_day(day) + dt.timedelta(days=1))
    return {
        "activities_done": Activity.objects.visible_to(viewer).filter(
            owner_id__in=owner_ids, status=ActivityStatus.DONE, done_at__gte=start, done_at__lt=end
        ),
        "prospects_created": Prospect.objects.visible_to(viewer).filter(
            owner_id__in=owner_ids, created_at__gte=start, created_at__lt=end
        ),
        "test_closings": TestClosing.objects.visible_to(viewer).filter(
            asked_by_id__in=owner_ids, asked_at__gte=start, asked_at__lt=end
        ),
        "outcomes": Prospect.objects.visible_to(viewer).filter(
            owner_id__in=owner_ids, status__in=(Status.WON, Status.LOST), closed_on=day
        ),
        "lead_activities": LeadActivity.objects.visible_to(viewer).filter(owner_id__in=owner_ids, on=day),
        "planned_next": Activity.objects.visible_to(viewer).filter(
            owner_id__in=owner_ids,
            status=ActivityStatus.PLANNED,
            prospect__status=Status.OPEN,
            starts_at__gte=end,
            starts_at__lt=plan_end,
        ),
    }


# The column each section groups its count by (the rep whose day it is).
_OWNER_COLUMN = {"test_closings": "asked_by_id"}


def day_figures(
    *, viewer: User, owner_ids: tuple[int, ...], day: dt.date, sections: dict[str, QuerySet] | None = None
) -> dict[int, dict[str, int]]:
    """rep id -> {figure: count} for `day`, live: ONE query (a UNION ALL of each figure's grouped
    count), whatever the number of reps. `sections`: `_sections(viewer, owner_ids, day)` when the
    caller has built them."""
    out: dict[int, dict[str, int]] = {pk: dict.fromkeys(FIGURE_FIELDS, 0) for pk in owner_ids}
    if not owner_ids:
        return out
    if sections is None:
        sections = _sections(viewer, owner_ids, day)
    counts = [
        qs.order_by()
        .annotate(figure=Value(name, output_field=CharField()))
        .values_list("figure", _OWNER_COLUMN.get(name, "owner_id"))
        .annotate(n=Count("id"))
        for name, qs in sections.items()
    ]
    for name, owner_id, n in counts[0].union(*counts[1:], all=True).order_by():
        out[owner_id][name] = n
    return out


@dataclass
class RepDay:
    """One rep's day, live: the figures and the items behind them."""

    owner: User
    day: dt.date
    plan_until: dt.date
    figures: dict[str, int]
    items: dict[str, list] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str, int]]:
        return [(name, str(FIGURE_LABELS[name]), self.figures[name]) for name in FIGURE_FIELDS]


def rep_day(*, viewer: User, owner: User, day: dt.date) -> RepDay:
    """The figures and items of `owner`'s day (7 queries whatever the data)."""
    sections = _sections(viewer, (owner.pk,), day)
    figures = day_figures(viewer=viewer, owner_ids=(owner.pk,), day=day, sections=sections)[owner.pk]
    items = {
        "activities_done": sections["activities_done"]
        .select_related("kind", "prospect")
        .order_by("done_at", "id"),
        "prospects_created": sections["prospects_created"]
        .select_related("lead_activity")
        .order_by("created_at", "id"),
        "test_closings": sections["test_closings"].select_related("prospect").order_by("asked_at", "id"),
        "outcomes": sections["outcomes"].order_by("closed_on", "id"),
        "lead_activities": sections["lead_activities"].order_by("id"),
        "planned_next": sections["planned_next"]
        .select_related("kind", "prospect")
        .order_by("starts_at", "id"),
    }
    return RepDay(
        owner=owner,
        day=day,
        plan_until=next_working_day(day),
        figures=figures,
        items={name: list(qs[:ITEMS_LIMIT]) for name, qs in items.items()},
    )


def report_of(*, owner: User, day: dt.date) -> DailyReport | None:
    """`owner`'s own report of `day`, if submitted (the rep's page; the owner sees their own)."""
    return DailyReport.objects.visible_to(owner).filter(owner_id=owner.pk, day=day).first()


@dataclass
class TeamRow:
    rep: User
    report: DailyReport | None
    figures: dict[str, int]  # the report's snapshot when submitted, else live
    comment_count: int = 0

    @property
    def cells(self) -> list[int]:
        return [self.figures[name] for name in FIGURE_FIELDS]


@dataclass
class TeamDay:
    day: dt.date
    rows: list[TeamRow]

    @property
    def missing(self) -> list[User]:
        return [row.rep for row in self.rows if row.report is None]

    @property
    def submitted(self) -> list[TeamRow]:
        return [row for row in self.rows if row.report is not None]


def team_day(*, viewer: User, owner_ids: tuple[int, ...] | None, day: dt.date) -> TeamDay:
    """The active reps of a scope (everyone `viewer` sees with None), each with their report of `day`
    if submitted and the figures: as submitted, else live. Constant queries whatever the team size."""
    reps_qs = visible_users(viewer).filter(is_active=True, role=Role.REP)
    if owner_ids is not None:
        reps_qs = reps_qs.filter(pk__in=owner_ids)
    reps = list(reps_qs.order_by("last_name", "first_name", "username", "pk"))
    ids = tuple(r.pk for r in reps)
    reports = {
        r.owner_id: r
        for r in DailyReport.objects.visible_to(viewer)
        .filter(day=day, owner_id__in=ids)
        .annotate(comment_count=Count("remarks"))
    }
    live = day_figures(viewer=viewer, owner_ids=ids, day=day)
    rows = []
    for rep in reps:
        report = reports.get(rep.pk)
        figures = report.figures() if report else live[rep.pk]
        rows.append(
            TeamRow(
                rep=rep, report=report, figures=figures, comment_count=report.comment_count if report else 0
            )
        )
    return TeamDay(day=day, rows=rows)


def access_report(user: User, pk: object) -> DailyReport:
    """The report (with its owner) if `user` may see its owner's work; 404 otherwise, ids never leak."""
    report = (
        DailyReport.objects.visible_to(user).select_related("owner").filter(pk=params.parse_id(pk)).first()
    )
    if report is None:
        raise Http404
    return report


def report_comments(report: DailyReport) -> list[DailyReportComment]:
    return list(report.remarks.select_related("author").order_by("created_at", "id"))


def unread_comment_reports(user: User, *, limit: int = 5) -> list[DailyReport]:
    """The user's own reports with a comment they have not seen yet, newest first (home page): one
    query."""
    unseen = Q(remarks__created_at__gt=F("comments_seen_at")) | Q(comments_seen_at__isnull=True)
    by_others = ~Q(remarks__author_id=F("owner_id"))
    return list(
        DailyReport.objects.visible_to(user)
        .filter(owner_id=user.pk)
        .annotate(new_comments=Count("remarks", filter=unseen & by_others))
        .filter(new_comments__gt=0)
        .order_by("-day")[:limit]
    )
