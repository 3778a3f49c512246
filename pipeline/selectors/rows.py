"""What a board card or a month-list row reads of a prospect, and its display-only facts (decorate)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation

from accounts.models import User
from pipeline.models import RankBands
from prospects.models import Prospect, Source, Status
from prospects.selectors import RowOwner
from salescrm.lib.months import this_month

# A card with no change for this many days and no next action planned ahead is marked stale.
STALE_DAYS = 30

# What a board card shows and decorate() reads: the notes, address and outcome stay in the database;
# the next planned activity is set by activities.selectors.attach_next_activities.
CARD_FIELDS = (
    "id",
    "owner_id",
    "name",
    "horizon",
    "status",
    "probability",
    "amount",
    "expected_month",
    "expected_month_slips",
    "changed_on",
    "version",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
    "weighted",
)

# A month-list row: what the row, the exports and decorate() read, and the last test closing.
MONTH_ROW_FIELDS = (
    "id",
    "owner_id",
    "name",
    "status",
    "probability",
    "amount",
    "expected_month",
    "changed_on",
    "weighted",
    "source",
    "last_tc_on",
    "last_tc_question",
    "last_tc_answer",
    "last_tc_reading",
    "owner__username",
    "owner__first_name",
    "owner__last_name",
)


class ProspectRow:
    """A prospect of a board card or a month-list row, read with values() (model instances of every
    card and its owner cost several times the query). It answers what the card, the row, the exports
    and decorate() ask of a Prospect."""

    def __init__(self, **row: Any) -> None:
        self.pk = self.id = row.pop("id")
        name = User.format_name(
            row.pop("owner__last_name"), row.pop("owner__first_name"), row.pop("owner__username")
        )
        self.owner = RowOwner(row["owner_id"], name)
        self.__dict__.update(row)

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def get_source_display(self) -> str:
        return str(Source(self.source).label) if self.source in Source.values else self.source

    def __repr__(self) -> str:
        return f"<ProspectRow {self.pk} {self.name!r}>"


def decorate(prospect: Prospect | ProspectRow, bands: RankBands, today: dt.date) -> Prospect | ProspectRow:
    """Display-only facts of a card or row: rank, overdue marks, days since the last change."""
    current = this_month(today)
    prospect.rank = bands.rank(prospect.probability)
    prospect.month_passed = prospect.is_open and bool(
        prospect.expected_month and prospect.expected_month < current
    )
    # The next planned activity (activities.selectors.attach_next_activities) is the next action.
    next_at = getattr(prospect, "next_activity_at", None)
    next_on = timezone.localdate(next_at) if next_at is not None else None
    prospect.next_activity_on = next_on
    prospect.next_activity_kind = (
        getattr(prospect, "next_activity_kind_ja", None)
        if (translation.get_language() or "ja").startswith("ja")
        else getattr(prospect, "next_activity_kind_en", None)
    )
    prospect.action_overdue = prospect.is_open and bool(next_on and next_on < today)
    prospect.nothing_planned = prospect.is_open and next_at is None
    # Stale only when nothing is planned: a future planned activity keeps a quiet card fresh.
    has_future_action = bool(next_on and next_on >= today)
    # Rows read for display carry the local date of their last change (changed_on); models their updated_at.
    changed_on = getattr(prospect, "changed_on", None) or timezone.localtime(prospect.updated_at).date()
    prospect.days_since_change = (today - changed_on).days
    prospect.stale = prospect.days_since_change >= STALE_DAYS and not has_future_action
    prospect.flagged = prospect.month_passed or prospect.action_overdue
    return prospect
