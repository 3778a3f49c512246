"""Permission-aware reads for closing: test closings of a prospect, "waiting too long", statistics.

Every statistic is one SQL aggregate (conditional aggregation), scoped by what the user may see, so the
page costs the same number of queries whatever the data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import visible_owner_ids_q
from accounts.models import User
from closing.models import Reading, Reopening, TestClosing, TestClosingQuestion
from prospects.models import Horizon, LostReason, Prospect, Source, Status
from prospects.selectors import access_prospect
from salescrm.lib.months import add_months
from salescrm.lib.params import parse_id

WON_WITHIN_DAYS = 90


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def access_test_closing(user: User, pk) -> TestClosing:
    """The test closing if the user may see its prospect; 404 otherwise."""
    pk = parse_id(pk)
    try:
        tc = TestClosing.objects.select_related("asked_by", "question").get(pk=pk)
    except TestClosing.DoesNotExist:
        raise Http404 from None
    tc.prospect = access_prospect(user, tc.prospect_id)
    return tc


def prospect_test_closings(prospect: Prospect) -> list[TestClosing]:
    """Newest first, with who asked (the question's own text is on each row)."""
    return list(
        TestClosing.objects.filter(prospect=prospect).select_related("asked_by").order_by("-asked_at", "-id")
    )


def prospect_revealed_budget(prospect: Prospect) -> TestClosing | None:
    """The newest test closing of the prospect whose answer revealed a budget, or None: what the
    board's quick edit offers to take over as the amount."""
    return (
        TestClosing.objects.filter(prospect=prospect, revealed_budget__isnull=False)
        .only("revealed_budget", "asked_at")
        .order_by("-asked_at", "-id")
        .first()
    )


def prospect_reopenings(prospect: Prospect) -> list[Reopening]:
    """Newest first, with who reopened."""
    return list(Reopening.objects.filter(prospect=prospect).select_related("by").order_by("-at", "-id"))


def active_questions() -> QuerySet[TestClosingQuestion]:
    return TestClosingQuestion.objects.filter(is_retired=False).order_by("kind", "id")


# --- Waiting too long


def stale_prospects(user: User, *, days: int, now: dt.datetime | None = None) -> QuerySet[Prospect]:
    """First the open prospects to test-close now (a proposal, quote or showroom visit done since
    their last test closing: activities.testclose), then the open mid/long-term prospects with no test
    closing for `days` days (counting from their creation when they never had one); largest amount
    first in each."""
    from activities.testclose import test_close_now

    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=days)
    return (
        Prospect.objects.visible_to(user)
        .open()
        .annotate(test_close_now=test_close_now())
        .annotate(last_test_closing=Max("test_closings__asked_at"))
        .annotate(quiet_since=Coalesce("last_test_closing", "created_at"))
        .filter(Q(test_close_now=True) | Q(horizon__in=[Horizon.MID, Horizon.LONG], quiet_since__lt=cutoff))
        .select_related("owner")
        .order_by("-test_close_now", "-amount", "quiet_since", "id")
    )


# --- Statistics


def won_total(user: User, month: dt.date) -> Decimal:
    """The won amount of `month` (by close date) over the prospects `user` may see."""
    period = Period.months(month, month)
    total = (
        _closed_in(user, period)
        .filter(status=Status.WON)
        .aggregate(total=Coalesce(Sum("won_amount"), Value(Decimal(0))))["total"]
    )
    return total


@dataclass
class Period:
    start: dt.date  # first day of the first month
    end: dt.date  # last day of the last month

    @classmethod
    def months(cls, first: dt.date, last: dt.date) -> Period:
        return cls(start=first, end=add_months(last, 1) - dt.timedelta(days=1))

    @property
    def first_month(self) -> dt.date:
        return self.start

    @property
    def last_month(self) -> dt.date:
        return self.end.replace(day=1)

    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = _tz()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass
class QuestionStat:
    question_id: int | None
    text: str
    kind: str
    asked: int
    positive: int
    prospects: int
    won_within: int

    @property
    def positive_rate(self) -> Decimal | None:
        return _rate(self.positive, self.asked)

    @property
    def won_rate(self) -> Decimal | None:
        return _rate(self.won_within, self.prospects)


def question_stats(user: User, period: Period) -> list[QuestionStat]:
    """Per question: times asked in the period, share of positive readings, and the share of the
    prospects asked it that were won within 90 days after being asked. One query."""
    start, end = period.aware_bounds()
    asked_day = TruncDate("asked_at", tzinfo=_tz())
    rows = (
        TestClosing.objects.filter(
            visible_owner_ids_q(user, "prospect__owner"), asked_at__gte=start, asked_at__lt=end
        )
        .annotate(asked_day=asked_day)
        .annotate(
            won_by=ExpressionWrapper(
                F("asked_day") + dt.timedelta(days=WON_WITHIN_DAYS), output_field=DateField()
            )
        )
        .values("question_id", "question__text_ja", "question__text_en", "question__kind")
        .annotate(
            asked=Count("id"),
            positive=Count("id", filter=Q(reading=Reading.POSITIVE)),
            prospects=Count("prospect_id", distinct=True),
            won_within=Count(
                "prospect_id",
                distinct=True,
                filter=Q(
                    prospect__status=Status.WON,
                    prospect__closed_on__gte=F("asked_day"),
                    prospect__closed_on__lte=F("won_by"),
                ),
            ),
        )
        .order_by("-asked", "question_id")
    )
    ja = (get_language() or "ja").startswith("ja")
    stats = []
    for row in rows:
        if row["question_id"] is None:
            text, kind = _("(free-text questions)"), ""
        else:
            text = row["question__text_ja"] if ja else (row["question__text_en"] or row["question__text_ja"])
            kind = row["question__kind"]
        stats.append(
            QuestionStat(
                question_id=row["question_id"],
                text=text,
                kind=kind,
                asked=row["asked"],
                positive=row["positive"],
                prospects=row["prospects"],
                won_within=row["won_within"],
            )
        )
    return stats


@dataclass
class RepMonthStat:
    user: User
    month: dt.date
    test_closings: int = 0
    won: int = 0
    won_amount: Decimal = Decimal(0)
    lost: int = 0
    lost_amount: Decimal = Decimal(0)
    lost_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def win_rate(self) -> Decimal | None:
        return _rate(self.won, self.won + self.lost)

    @property
    def lost_reason_list(self) -> list[tuple[str, int]]:
        labels = dict(LostReason.choices)
        return [(str(labels[key]), n) for key, n in self.lost_reasons.items() if n]


def _closed_in(user: User, period: Period) -> QuerySet[Prospect]:
    return Prospect.objects.visible_to(user).filter(
        status__in=[Status.WON, Status.LOST], closed_on__gte=period.start, closed_on__lte=period.end
    )


def rep_month_stats(user: User, period: Period) -> list[RepMonthStat]:
    """Per rep (the prospect's owner for outcomes, the person who asked for test closings) and month.
    Three queries: test closings, outcomes, the users named."""
    start, end = period.aware_bounds()
    tc_rows = (
        TestClosing.objects.filter(
            visible_owner_ids_q(user, "prospect__owner"), asked_at__gte=start, asked_at__lt=end
        )
        .annotate(month=TruncMonth("asked_at", tzinfo=_tz()))
        .values("asked_by_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    )
    reason_counts = {
        f"r_{key}": Count("id", filter=Q(status=Status.LOST, lost_reason=key)) for key in LostReason.values
    }
    outcome_rows = (
        _closed_in(user, period)
        .annotate(month=TruncMonth("closed_on", output_field=DateField()))
        .values("owner_id", "month")
        .annotate(
            won=Count("id", filter=Q(status=Status.WON)),
            won_amount=Coalesce(Sum("won_amount", filter=Q(status=Status.WON)), Value(Decimal(0))),
            lost=Count("id", filter=Q(status=Status.LOST)),
            lost_amount=Coalesce(Sum("amount", filter=Q(status=Status.LOST)), Value(Decimal(0))),
            **reason_counts,
        )
        .order_by()
    )
    cells: dict[tuple[int, dt.date], dict] = defaultdict(dict)
    for row in tc_rows:
        month = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        cells[(row["asked_by_id"], month)]["test_closings"] = row["n"]
    for row in outcome_rows:
        cell = cells[(row["owner_id"], row["month"])]
        cell.update(
            won=row["won"],
            won_amount=row["won_amount"],
            lost=row["lost"],
            lost_amount=row["lost_amount"],
            lost_reasons={key: row[f"r_{key}"] for key in LostReason.values},
        )
    users = User.objects.in_bulk({user_id for user_id, _month in cells})
    stats = [
        RepMonthStat(user=users[user_id], month=month, **cell) for (user_id, month), cell in cells.items()
    ]
    stats.sort(key=lambda s: (s.month, s.user.display_name), reverse=False)
    stats.sort(key=lambda s: s.month, reverse=True)
    return stats


@dataclass
class SourceStat:
    source: str
    label: str
    won: int
    lost: int
    avg_days_to_won: Decimal | None

    @property
    def win_rate(self) -> Decimal | None:
        return _rate(self.won, self.won + self.lost)


def _days(duration: dt.timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / Decimal(86400)).quantize(Decimal("0.1"))


def _outcome_aggregates() -> dict:
    """Won, lost and the average days from creation to won: the figures of each statistics row."""
    days_to_won = ExpressionWrapper(
        F("closed_on") - TruncDate("created_at", tzinfo=_tz()), output_field=DurationField()
    )
    return dict(
        won=Count("id", filter=Q(status=Status.WON)),
        lost=Count("id", filter=Q(status=Status.LOST)),
        avg_days=Avg(days_to_won, filter=Q(status=Status.WON)),
    )


def lead_kind_stats(user: User, period: Period) -> list[SourceStat]:
    """source_stats by the kind of lead activity the prospects came from, and a row for none. One query."""
    from activities.models import LeadKind

    rows = {
        row["lead_activity__kind"] or "": row
        for row in _closed_in(user, period)
        .values("lead_activity__kind")
        .annotate(**_outcome_aggregates())
        .order_by()
    }
    keys = [(k, str(label)) for k, label in LeadKind.choices] + [("", str(_("No lead activity")))]
    return [
        SourceStat(
            source=key,
            label=label,
            won=rows.get(key, {}).get("won", 0),
            lost=rows.get(key, {}).get("lost", 0),
            avg_days_to_won=_days(rows.get(key, {}).get("avg_days")),
        )
        for key, label in keys
    ]


def source_stats(user: User, period: Period) -> tuple[list[SourceStat], SourceStat]:
    """Win rate and average days from creation to won, per source and in total. Two queries."""
    aggregates = _outcome_aggregates()
    qs = _closed_in(user, period)
    rows = {row["source"]: row for row in qs.values("source").annotate(**aggregates).order_by()}
    labels = dict(Source.choices)
    per_source = [
        SourceStat(
            source=key,
            label=str(labels[key]),
            won=rows.get(key, {}).get("won", 0),
            lost=rows.get(key, {}).get("lost", 0),
            avg_days_to_won=_days(rows.get(key, {}).get("avg_days")),
        )
        for key in Source.values
    ]
    total_row = qs.aggregate(**aggregates)
    total = SourceStat(
        source="",
        label=_("Total"),
        won=total_row["won"],
        lost=total_row["lost"],
        avg_days_to_won=_days(total_row["avg_days"]),
    )
    return per_source, total


# --- Exports: every test closing and every outcome of a period, as on screen, scoped like the screens.


def test_closing_export(user: User, period: Period) -> tuple[list[str], Iterator[list]]:
    start, end = period.aware_bounds()
    visible = Prospect.objects.visible_to(user).values("pk")
    rows = (
        TestClosing.objects.filter(prospect__in=visible, asked_at__gte=start, asked_at__lt=end)
        .select_related("prospect", "asked_by")
        .order_by("-asked_at", "-id")
    )
    header = [
        _("Asked at"),
        _("Asked by"),
        _("Prospect"),
        _("Question"),
        _("Customer's answer"),
        _("Reading"),
        _("Revealed timing"),
        _("Revealed budget"),
        _("Decision maker"),
        _("Annotation"),
    ]
    tz = _tz()

    def lines() -> Iterator[list]:
        for tc in rows.iterator(chunk_size=2000):
            yield [
                tc.asked_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                tc.asked_by.display_name,
                tc.prospect.name,
                tc.question_text,
                tc.answer,
                tc.get_reading_display(),
                tc.revealed_month.strftime("%Y-%m") if tc.revealed_month else "",
                tc.revealed_budget,
                tc.revealed_decision_maker,
                tc.annotation,
            ]

    return [str(h) for h in header], lines()


def outcome_export(user: User, period: Period) -> tuple[list[str], Iterator[list]]:
    rows = _closed_in(user, period).select_related("owner").order_by("-closed_on", "-id")
    header = [
        _("Closed on"),
        _("Owner"),
        _("Prospect"),
        _("Outcome"),
        _("Won amount"),
        _("Lost reason"),
        _("Competitor"),
        _("Re-contact on"),
        _("Source"),
        _("Created on"),
        _("Note"),
    ]
    tz = _tz()

    def lines() -> Iterator[list]:
        for p in rows.iterator(chunk_size=2000):
            yield [
                p.closed_on,
                p.owner.display_name,
                p.name,
                p.get_status_display(),
                p.won_amount,
                p.get_lost_reason_display() if p.lost_reason else "",
                p.competitor,
                p.recontact_on,
                p.get_source_display(),
                p.created_at.astimezone(tz).date(),
                p.outcome_note,
            ]

    return [str(h) for h in header], lines()
