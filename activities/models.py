"""Activities: what a rep did or will do with a prospect (visit, call, proposal sent, ...).

A planned activity is the prospect's next action (it replaced the prospect's old single "next action"
text and date, removed by prospects migration 0022); marking one done asks for the next. Closing a deal
cancels its planned activities and reopening it plans them again (closing.services). Lead-generation activities (flyer drops, door-to-door sessions,
exhibitions: work that belongs to no prospect yet) are `LeadActivity`, further down this module.
Who may see an activity is the prospect's rule: `Activity.objects.visible_to(user)` reads
accounts.access.visible_owner_ids_q on the prospect's owner, as test closings do.
"""

from __future__ import annotations

import datetime as dt

import pghistory
import pgtrigger
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
    # Planned on a deal that was then won or lost: kept as it was, off every agenda, planned again
    # when the deal is reopened. Only closing.services sets it.
    CANCELLED = "cancelled", _("Cancelled (deal closed)")


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
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
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
            # One rep's (or a team's reps') own planned activities by date (the daily report's "tomorrow").
            # The agenda, the feed and the email read by the prospect's owner (activity_planned_prospect).
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
            # The agenda's sections (overdue, today, this week): planned activities in date order, whose
            # prospects are then checked for owner; without it each section probed every open prospect.
            models.Index(
                fields=["starts_at", "id"], condition=Q(status="planned"), name="activity_planned_start"
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
            # Done has the moment it was marked done; planned (or cancelled with its deal) has none.
            models.CheckConstraint(
                condition=(Q(status=ActivityStatus.DONE) & Q(done_at__isnull=False))
                | (
                    Q(status__in=[ActivityStatus.PLANNED, ActivityStatus.CANCELLED]) & Q(done_at__isnull=True)
                ),
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
            # formrules' DATE_MIN..DATE_MAX as local dates: a day's margin each side, since local midnight
            # of 2000-01-01 in Tokyo is still 1999 in UTC.
            models.CheckConstraint(
                condition=Q(starts_at__gte=dt.datetime(1999, 12, 31, tzinfo=dt.UTC))
                & Q(starts_at__lt=dt.datetime(2101, 1, 2, tzinfo=dt.UTC)),
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
    def is_planned(self) -> bool:
        return self.status == ActivityStatus.PLANNED

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == ActivityStatus.PLANNED
            and timezone.localdate(self.starts_at) < timezone.localdate()
        )


# --- Lead-generation activities -----------------------------------------------------------------


class LeadKind(models.TextChoices):
    """The kinds of lead-generation activity. Each code is the prospects.Source its leads get
    (LeadActivity.source): a prospect created from a flyer drop comes from flyers."""

    FLYER = "flyer", _("Flyer drop")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door session")
    EXHIBITION = "exhibition", _("Exhibition")
    REFERRAL = "referral", _("Referral requests")
    INBOUND = "inbound", _("Inbound campaign")


# The count a kind's yield is measured in (activities.yields): leads per 100 flyers, per session,
# per booth contact, per referral request asked, per campaign. None: one unit per activity.
UNIT_FIELD: dict[str, str | None] = {
    LeadKind.FLYER: "flyers",
    LeadKind.DOOR_TO_DOOR: None,
    LeadKind.EXHIBITION: "contacts",
    LeadKind.REFERRAL: "requests",
    LeadKind.INBOUND: None,
}
# Each kind's counts that must be given (the form's rule; the DB checks the kind's main count).
REQUIRED_COUNTS: dict[str, tuple[str, ...]] = {
    LeadKind.FLYER: ("flyers",),
    LeadKind.DOOR_TO_DOOR: ("doors_knocked", "conversations"),
    LeadKind.EXHIBITION: ("contacts",),
    LeadKind.REFERRAL: ("requests",),
    LeadKind.INBOUND: (),
}
COUNT_FIELDS = ("flyers", "doors_knocked", "conversations", "contacts", "requests")


class LeadActivityQuerySet(models.QuerySet["LeadActivity"]):
    def visible_to(self, user) -> LeadActivityQuerySet:
        """The lead activities of the owners `user` may see (accounts.access's one rule)."""
        from accounts.access import visible_owner_ids_q

        return self.filter(visible_owner_ids_q(user, "owner"))


class _LeadsBeforeFunc(pgtrigger.Func):
    """The insert trigger's body, naming the prospect table and the lead rule (prospects.models)."""

    def render(self, **kwargs) -> str:
        from prospects.models import LEAD_RULE, Prospect

        return super().render(prospects=Prospect._meta.db_table, rule=LEAD_RULE, **kwargs)


# A prospect may be written before its lead activity in one transaction (the foreign key is checked at
# commit): its trigger found no activity to count it on, so a new activity counts the leads already there.
LEADS_BEFORE_THE_ACTIVITY = pgtrigger.Trigger(
    name="lead_count_on_insert",
    level=pgtrigger.Statement,
    when=pgtrigger.After,
    operation=pgtrigger.Insert,
    referencing=pgtrigger.Referencing(new="new_rows"),
    func=_LeadsBeforeFunc(
        """
        UPDATE {meta.db_table} AS a SET lead_count = c.n
        FROM (
            SELECT lead_activity_id, count(*) AS n FROM {prospects}
            WHERE lead_activity_id IN (SELECT id FROM new_rows) AND {rule} GROUP BY lead_activity_id
        ) AS c
        WHERE a.id = c.lead_activity_id;
        RETURN NULL;
        """
    ),
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
    # lead_count is a tally the prospects' triggers keep, not an edit: no history event for it.
    exclude=["updated_at", "lead_count"],
    model_name="LeadActivityEvent",
    meta={"verbose_name": _("lead activity change"), "verbose_name_plural": _("lead activity changes")},
)
class LeadActivity(models.Model):
    """Lead-generation work that belongs to no prospect yet (the long-term wheel): a flyer drop, a
    door-to-door session, an exhibition, referral requests, an inbound campaign. Prospects won from
    it point here (Prospect.lead_activity) and take their source from its kind."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="lead_activities",
        verbose_name=_("owner"),
        db_index=False,  # the (owner, on) index serves it
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LeadKind.choices)
    on = models.DateField(_("date"))
    # An exhibition's last day (its first is `on`); empty for a one-day activity.
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    # Which flyer, the exhibition's name or the campaign's name.
    name = models.CharField(_("name"), max_length=200, blank=True)
    area = models.CharField(_("area"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    flyers = models.IntegerField(_("flyers"), null=True, blank=True)
    doors_knocked = models.IntegerField(_("doors knocked"), null=True, blank=True)
    conversations = models.IntegerField(_("conversations held"), null=True, blank=True)
    contacts = models.IntegerField(_("booth contacts"), null=True, blank=True)
    requests = models.IntegerField(_("referrals asked for"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The prospects it brought in (prospects.models.LEAD_RULE), kept by the database: the prospect
    # table's triggers (LEAD_COUNT_TRIGGERS) and LEADS_BEFORE_THE_ACTIVITY; prospects/counts.py checks it
    # nightly. The yields and the list read it instead of counting the linked prospects.
    lead_count = models.IntegerField(_("new prospects"), default=0, db_default=0, editable=False)
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

    objects = LeadActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead activity")
        verbose_name_plural = _("lead activities")
        ordering = ["-on", "-id"]
        triggers = [LEADS_BEFORE_THE_ACTIVITY]
        indexes = [
            # The lead activity list of a rep or a team's reps, and the yields' trailing 90 days.
            models.Index(fields=["owner", "on"], name="lead_activity_owner_on"),
            # The company's yields: every activity of the trailing 90 days.
            models.Index(fields=["on"], name="lead_activity_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LeadKind.values), name="lead_activity_kind_valid"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}),
                    name=f"lead_activity_{f}_non_negative",
                )
                for f in COUNT_FIELDS
            ],
            models.CheckConstraint(
                condition=Q(conversations__isnull=True)
                | Q(doors_knocked__isnull=True)
                | Q(conversations__lte=F("doors_knocked")),
                name="lead_activity_conversations_le_doors",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("on")),
                name="lead_activity_end_after_start",
            ),
            # The count a kind's yield divides by is always there (activities.yields).
            models.CheckConstraint(
                condition=~Q(kind="flyer") | Q(flyers__isnull=False), name="lead_flyer_count"
            ),
            models.CheckConstraint(
                condition=~Q(kind="exhibition") | Q(contacts__isnull=False), name="lead_exhibition_contacts"
            ),
            models.CheckConstraint(
                condition=~Q(kind="referral") | Q(requests__isnull=False), name="lead_referral_requests"
            ),
            models.CheckConstraint(
                condition=Q(on__gte=dt.date(2000, 1, 1)) & Q(on__lt=dt.date(2101, 1, 1)),
                name="lead_activity_on_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on:%Y-%m-%d}{' ' + self.name if self.name else ''}"

    def save(self, *args, **kwargs) -> None:
        # An edit never writes back the lead count it read: the triggers may have changed it since.
        if not self._state.adding and kwargs.get("update_fields") is None:
            skip = {"lead_count", *self.get_deferred_fields()}
            kwargs["update_fields"] = [
                f.attname for f in self._meta.concrete_fields if not f.primary_key and f.attname not in skip
            ]
        super().save(*args, **kwargs)

    @property
    def source(self) -> str:
        """The prospects.Source of the leads it brings (the kind's code is the source's)."""
        return self.kind

    @property
    def units(self) -> int:
        """How much of the kind's yield unit it holds (activities.yields)."""
        field = UNIT_FIELD[self.kind]
        return 1 if field is None else (getattr(self, field) or 0)


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
