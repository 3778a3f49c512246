"""Activities: what a rep did or will do with a prospect (visit, call, proposal sent, ...).

A planned activity is the prospect's next action (it replaced Prospect.next_action / next_action_on);
marking one done asks for the next. Lead-generation activities (flyer drops, door-to-door sessions,
exhibitions: work that belongs to no prospect yet) are `LeadActivity`, further down this module.
Who may see an activity is the prospect's rule: `Activity.objects.visible_to(user)` reads
accounts.access.visible_owner_ids_q on the prospect's owner, as test closings do.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# A week: longer than any one visit or meeting; a larger figure is a typo (minutes typed as seconds).
MAX_DURATION_MINUTES = 7 * 24 * 60


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")


class ActivityKind(models.Model):
    """A kind of activity (visit, call, ...). Seeded by migration 0002; admins may add more, and retire
    one instead of deleting it once used."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label_ja = models.CharField(_("label (Japanese)"), max_length=60)
    label_en = models.CharField(_("label (English)"), max_length=60)
    # A proposal, a quote or a showroom visit is the moment the method says to test-close.
    triggers_test_close = models.BooleanField(_("test-close trigger"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity kind")
        verbose_name_plural = _("activity kinds")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(code__regex=r"^\s*$"), name="activity_kind_code_not_blank"),
            models.CheckConstraint(condition=~Q(label_ja__regex=r"^\s*$"), name="activity_kind_ja_not_blank"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return (
            self.label_ja if (get_language() or "ja").startswith("ja") else (self.label_en or self.label_ja)
        )


class ActivityQuerySet(models.QuerySet["Activity"]):
    def visible_to(self, user) -> ActivityQuerySet:
        """The activities of the prospects `user` may see (accounts.access's one rule)."""
        from accounts.access import visible_owner_ids_q

        return self.filter(visible_owner_ids_q(user, "prospect__owner"))

    def planned(self) -> ActivityQuerySet:
        return self.filter(status=ActivityStatus.PLANNED)

    def done(self) -> ActivityQuerySet:
        return self.filter(status=ActivityStatus.DONE)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
    model_name="ActivityEvent",
    meta={"verbose_name": _("activity change"), "verbose_name_plural": _("activity changes")},
)
class Activity(models.Model):
    """One thing a rep did (done) or will do (planned) with a prospect."""

    prospect = models.ForeignKey(
        "prospects.Prospect", on_delete=models.CASCADE, related_name="activities", verbose_name=_("prospect")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("owner"),
        db_index=False,  # the (owner, ...) index below serves it
    )
    kind = models.ForeignKey(
        ActivityKind, on_delete=models.PROTECT, related_name="activities", verbose_name=_("kind")
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    # When it is planned for, or when it happened. A date without a time of day (all_day) is stored
    # as that day's midnight in the company's time zone (a migrated next action had only a date).
    starts_at = models.DateTimeField(_("date and time"))
    all_day = models.BooleanField(_("no time of day"), default=False)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.TextField(_("outcome note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            # The agenda, the calendar feed and the morning email: one rep's (or a team's reps')
            # planned activities by date.
            models.Index(
                fields=["owner", "starts_at", "id"],
                condition=Q(status="planned"),
                name="activity_planned_owner_start",
            ),
            # The next planned activity of each prospect (board card, month list, detail, the
            # "nothing planned" warning and filter).
            models.Index(
                fields=["prospect", "starts_at", "id"],
                condition=Q(status="planned"),
                name="activity_planned_prospect",
            ),
            # The prospect page's timeline, newest first.
            models.Index(F("prospect"), F("starts_at").desc(), F("id").desc(), name="activity_timeline"),
            # The daily report: a rep's activities done on a day.
            models.Index(
                fields=["owner", "done_at"], condition=Q(status="done"), name="activity_done_owner_day"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="activity_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True)
                | (Q(duration_minutes__gte=0) & Q(duration_minutes__lte=MAX_DURATION_MINUTES)),
                name="activity_duration_0_to_week",
            ),
            # Done has the moment it was marked done; planned has none.
            models.CheckConstraint(
                condition=(Q(status=ActivityStatus.DONE) & Q(done_at__isnull=False))
                | (Q(status=ActivityStatus.PLANNED) & Q(done_at__isnull=True)),
                name="activity_done_has_done_at",
            ),
            # A done activity happened before it was recorded as done: not dated in the future. (The
            # form's rule, "not after now", as far as a row alone can hold it; a day's grace for
            # an all-day date stored at midnight.)
            models.CheckConstraint(
                condition=~Q(status=ActivityStatus.DONE)
                | Q(starts_at__lte=F("done_at") + models.Value(dt.timedelta(days=1))),
                name="activity_done_not_in_future",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__gte=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
                & Q(starts_at__lt=dt.datetime(2101, 1, 1, tzinfo=dt.UTC)),
                name="activity_starts_at_in_bounds",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="activity_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_id}: {self.subject or self.starts_at:%Y-%m-%d}"

    @property
    def is_done(self) -> bool:
        return self.status == ActivityStatus.DONE

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == ActivityStatus.PLANNED
            and timezone.localdate(self.starts_at) < timezone.localdate()
        )


# --- Lead-generation activities -----------------------------------------------------------------
# `LeadActivity` (flyer drops, door-to-door sessions, exhibitions, referral requests, inbound
# campaigns: activity that belongs to no prospect yet) is built here by the "lead" part of issue 18.


class ActivityPreference(models.Model):
    """A user's activity settings: the morning email opt-in and the calendar feed's secret token.

    Only the SHA-256 of the token is stored: the URL is shown once, when it is made; a reset replaces
    the hash, so the old URL stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activity_preference",
        verbose_name=_("user"),
    )
    morning_email = models.BooleanField(_("morning email"), default=False)
    feed_token_hash = models.CharField(_("calendar feed token (SHA-256)"), max_length=64, blank=True)
    feed_token_set_at = models.DateTimeField(_("calendar feed made at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity setting")
        verbose_name_plural = _("activity settings")
        constraints = [
            # Unique when set; the feed is found by this hash.
            models.UniqueConstraint(
                fields=["feed_token_hash"],
                condition=~Q(feed_token_hash=""),
                name="activity_pref_token_unique",
            ),
            models.CheckConstraint(
                condition=Q(feed_token_hash="") | Q(feed_token_hash__regex=r"^[0-9a-f]{64}$"),
                name="activity_pref_token_is_sha256",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user_id)


class MorningEmailSent(models.Model):
    """The claim of one user's morning email for one day: inserted before the email is sent, so a
    retried or repeated task finds it and sends nothing (the unique pair is the lock)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    day = models.DateField(_("day"))
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("morning email sent")
        verbose_name_plural = _("morning emails sent")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="morning_email_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"
