"""The next planned activity of prospects: what replaced the prospect's "next action" field."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import OuterRef, QuerySet, Subquery

from activities.models import Activity, ActivityStatus

# Which planned activity of a prospect is its next one: the earliest, then the first logged.
NEXT_ORDER = ("starts_at", "id")


def _next_planned(field: str = "pk") -> QuerySet[Activity]:
    return Activity.objects.filter(prospect_id=OuterRef(field), status=ActivityStatus.PLANNED).order_by(
        *NEXT_ORDER
    )


def next_planned_annotation(queryset: QuerySet, field: str = "pk") -> QuerySet:
    """`queryset` of prospects with the id of each one's next planned activity (`next_activity_id`) and
    its date (`next_activity_at`): one subquery per column in the page's own query, served by the
    index activity_planned_prospect. The filter "nothing planned" is `next_activity_id=None`."""
    planned = _next_planned(field)
    return queryset.annotate(
        next_activity_id=Subquery(planned.values("id")[:1]),
        next_activity_at=Subquery(planned.values("starts_at")[:1]),
    )


def with_next_planned(prospects: Iterable) -> list:
    """Set `next_activity` (an Activity with its kind, or None) on each prospect of a page: ONE query
    for the page whatever its size (the first planned activity of each prospect, DISTINCT ON)."""
    prospects = list(prospects)
    ids = [p.pk for p in prospects]
    found: dict[int, Activity] = {}
    if ids:
        rows = (
            Activity.objects.filter(prospect_id__in=ids, status=ActivityStatus.PLANNED)
            .select_related("kind")
            .order_by("prospect_id", *NEXT_ORDER)
            .distinct("prospect_id")
        )
        found = {a.prospect_id: a for a in rows}
    for p in prospects:
        p.next_activity = found.get(p.pk)
    return prospects


def next_planned(prospect) -> Activity | None:
    return _next_planned_for(prospect.pk)


def _next_planned_for(prospect_id: int) -> Activity | None:
    return (
        Activity.objects.filter(prospect_id=prospect_id, status=ActivityStatus.PLANNED)
        .select_related("kind")
        .order_by(*NEXT_ORDER)
        .first()
    )


def next_activity_columns(field: str = "pk") -> dict:
    """Annotations of a prospect query with its next planned activity, for pages that read rows with
    values() (board cards, month-list rows): its date and time, whether it has a time, subject and
    kind labels. Subqueries of the page's own query (no query more per card), each one index lookup
    (activity_planned_prospect)."""
    planned = _next_planned(field)
    return {
        "next_activity_at": Subquery(planned.values("starts_at")[:1]),
        "next_activity_all_day": Subquery(planned.values("all_day")[:1]),
        "next_activity_subject": Subquery(planned.values("subject")[:1]),
        "next_activity_kind_ja": Subquery(planned.values("kind__label_ja")[:1]),
        "next_activity_kind_en": Subquery(planned.values("kind__label_en")[:1]),
    }


NEXT_ACTIVITY_FIELDS = (
    "next_activity_at",
    "next_activity_all_day",
    "next_activity_subject",
    "next_activity_kind_ja",
    "next_activity_kind_en",
)


def attach_next_activities(rows: Sequence) -> None:
    """Set the NEXT_ACTIVITY_FIELDS (None when nothing is planned) on each row of a page read with
    values() (board cards, month-list rows): ONE query for the page, each prospect's first planned
    activity (DISTINCT ON, index activity_planned_prospect). The same fields as next_activity_columns,
    which a streamed export or a sort by the next action needs instead: five correlated subqueries
    per row were most of a board's cards query (docs/performance.md)."""
    found: dict[int, dict] = {}
    ids = [row.pk for row in rows]
    if ids:
        planned = (
            Activity.objects.filter(prospect_id__in=ids, status=ActivityStatus.PLANNED)
            .order_by("prospect_id", *NEXT_ORDER)
            .distinct("prospect_id")
            .values_list("prospect_id", "starts_at", "all_day", "subject", "kind__label_ja", "kind__label_en")
        )
        found = {pid: dict(zip(NEXT_ACTIVITY_FIELDS, rest, strict=True)) for pid, *rest in planned}
    nothing = dict.fromkeys(NEXT_ACTIVITY_FIELDS)
    for row in rows:
        for name, value in found.get(row.pk, nothing).items():
            setattr(row, name, value)


def planned_matching(text: str, field: str = "pk") -> QuerySet[Activity]:
    """The prospect's planned activities whose subject holds `text`: a search by the next action
    (`Exists(planned_matching(q))` in a prospect query)."""
    return Activity.objects.filter(
        prospect_id=OuterRef(field), status=ActivityStatus.PLANNED, subject__icontains=text
    )
