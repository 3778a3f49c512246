"""The daily report (日報): a rep's statement of their day, and their manager's comments on it.

The day's figures are computed from what the rep logged (reports.selectors.day_figures); the report
stores a snapshot of them taken at each submission, so an activity marked done or a deal reopened
afterwards never rewrites what was reported and commented on. Who may see a report is the owner's
rule: `DailyReport.objects.visible_to(user)` reads accounts.access.visible_owner_ids_q.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescrm.lib.formrules import date_in_bounds

# Longer than any day's note; a larger text is a paste by mistake.
MAX_COMMENT_LENGTH = 4000

# The counts a report keeps, in the order the pages show them (reports.selectors.FIGURES labels them).
FIGURE_FIELDS = (
    "activities_done",
    "prospects_created",
    "test_closings",
    "outcomes",
    "lead_activities",
    "planned_next",
)


class DailyReportQuerySet(models.QuerySet["DailyReport"]):
    def visible_to(self, user) -> DailyReportQuerySet:
        """The reports of the owners `user` may see (accounts.access's one rule)."""
        from accounts.access import visible_owner_ids_q

        return self.filter(visible_owner_ids_q(user, "owner"))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    exclude=["comments_seen_at"],
    model_name="DailyReportEvent",
    meta={"verbose_name": _("daily report version"), "verbose_name_plural": _("daily report versions")},
)
class DailyReport(models.Model):
    """One rep's report of one day: submitted once, resubmitted as often as needed (each submission is a
    version in the history, and takes a new snapshot of the figures)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="daily_reports",
        verbose_name=_("owner"),
        db_index=False,  # the unique (owner, day) index serves it
    )
    day = models.DateField(_("day"))
    comment = models.TextField(_("comment"), max_length=MAX_COMMENT_LENGTH, blank=True)
    activities_done = models.PositiveIntegerField(_("activities done"), default=0)
    prospects_created = models.PositiveIntegerField(_("prospects created"), default=0)
    test_closings = models.PositiveIntegerField(_("test closings asked"), default=0)
    outcomes = models.PositiveIntegerField(_("outcomes recorded"), default=0)
    lead_activities = models.PositiveIntegerField(_("lead activities logged"), default=0)
    planned_next = models.PositiveIntegerField(_("activities planned for the next day"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    created_at = models.DateTimeField(_("first submitted at"), default=timezone.now)
    # When the owner last opened the report: a manager's comment after it is new to them (home page).
    comments_seen_at = models.DateTimeField(_("comments seen at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        ordering = ["-day", "owner_id"]
        indexes = [
            # A manager's team view: the reports of one day.
            models.Index(fields=["day", "owner"], name="daily_report_day_owner"),
        ]
        constraints = [
            # One report per rep and day; a second submission updates it.
            models.UniqueConstraint(fields=["owner", "day"], name="daily_report_one_per_day"),
            *date_in_bounds("daily_report", "day"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("comment"), MAX_COMMENT_LENGTH),
                name="daily_report_comment_length",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="daily_report_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.day:%Y-%m-%d}"

    def figures(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


class DailyReportComment(models.Model):
    """A manager's (or an admin's) comment on a report; the rep sees it on the report and on home."""

    report = models.ForeignKey(
        DailyReport, on_delete=models.CASCADE, related_name="remarks", verbose_name=_("daily report")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(_("comment"), max_length=MAX_COMMENT_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily report comment")
        verbose_name_plural = _("daily report comments")
        ordering = ["created_at", "id"]
        indexes = [
            # A report's comments in order; the rep's new ones (after comments_seen_at).
            models.Index(fields=["report", "created_at"], name="daily_report_comment_report"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(body__regex=r"^\s*$"), name="daily_report_comment_not_blank"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), MAX_COMMENT_LENGTH),
                name="daily_report_comment_body_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:40]}"
