"""Writes of the daily report: submit (or resubmit) a day, comment on a report, mark comments seen."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reports.models import DailyReport, DailyReportComment
from reports.selectors import day_figures

CONFLICT_MESSAGE = _(
    "This report was submitted again in the meantime (another window or device). "
    "Its comment is shown below; submit again to replace it."
)


class ReportConflict(Exception):
    """Someone (the same rep, elsewhere) submitted the report since the form was shown."""

    def __init__(self, current: DailyReport | None) -> None:
        super().__init__(str(CONFLICT_MESSAGE))
        self.current = current


def daily_report_submit(
    *, owner: User, day: dt.date, comment: str, expected_version: int | None
) -> DailyReport:
    """Submit `owner`'s report of `day` with a snapshot of the day's figures as they are now.

    A first submission creates the row (expected_version None); a resubmission replaces the comment and
    the snapshot only if the row is still at `expected_version` (a conditional UPDATE), so a second
    window never overwrites a comment unseen. Every version stays in the history (pghistory)."""
    figures = day_figures(viewer=owner, owner_ids=(owner.pk,), day=day)[owner.pk]
    now = timezone.now()
    current = owner.daily_reports.filter(day=day).first()
    if current is None:
        if expected_version is not None:
            raise ReportConflict(None)
        try:
            with transaction.atomic():
                return DailyReport.objects.create(
                    owner=owner, day=day, comment=comment, submitted_at=now, created_at=now, **figures
                )
        except IntegrityError:
            # The same rep's other window created it a moment ago (the unique pair).
            raise ReportConflict(owner.daily_reports.filter(day=day).first()) from None
    if expected_version is None or expected_version != current.version:
        raise ReportConflict(current)
    updated = DailyReport.objects.filter(pk=current.pk, version=expected_version).update(
        comment=comment, submitted_at=now, version=F("version") + 1, **figures
    )
    if updated == 0:
        raise ReportConflict(DailyReport.objects.get(pk=current.pk))
    current.refresh_from_db()
    return current


def daily_report_comment_add(*, report: DailyReport, author: User, body: str) -> DailyReportComment:
    return DailyReportComment.objects.create(report=report, author=author, body=body)


def daily_report_mark_seen(*, report: DailyReport, by: User) -> bool:
    """The owner opened their report: its comments so far are no longer new. Others change nothing."""
    if by.pk != report.owner_id:
        return False
    return bool(DailyReport.objects.filter(pk=report.pk).update(comments_seen_at=timezone.now()))
