from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _scope_visible_q(user) -> Q:
    """The rows of a scope (a rep in `user`, a team in `team`, else the company) that `user` may see:
    a rep's by accounts.access's rule, a team a manager leads, the company for an admin only."""
    from accounts.access import visible_owner_ids_q, visible_teams

    if user.is_admin_role:
        return Q()
    people = Q(user__isnull=False) & visible_owner_ids_q(user, "user")
    if user.is_manager:
        return people | Q(team__in=visible_teams(user).values("pk"))
    return people


class PipelineTargetQuerySet(models.QuerySet["PipelineTarget"]):
    def visible_to(self, user) -> PipelineTargetQuerySet:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(_scope_visible_q(user))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PipelineTargetEvent",
    meta={"verbose_name": _("pipeline target change"), "verbose_name_plural": _("pipeline target changes")},
)
class PipelineTarget(models.Model):
    """The minimum pipeline a scope keeps: a rep (user), a team, or the whole company (neither)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pipeline_target",
        verbose_name=_("rep"),
    )
    team = models.OneToOneField(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pipeline_target",
        verbose_name=_("team"),
    )
    min_open = models.PositiveIntegerField(_("minimum open prospects"), null=True, blank=True)
    min_short = models.PositiveIntegerField(_("minimum short term"), null=True, blank=True)
    min_mid = models.PositiveIntegerField(_("minimum mid term"), null=True, blank=True)
    min_long = models.PositiveIntegerField(_("minimum long term"), null=True, blank=True)
    sales_target = models.DecimalField(
        _("monthly sales target"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PipelineTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("pipeline target")
        verbose_name_plural = _("pipeline targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True) | Q(team__isnull=True), name="target_one_scope"
            ),
            # Exactly one company-wide row at most.
            models.UniqueConstraint(
                models.Value(1),
                condition=Q(user__isnull=True, team__isnull=True),
                name="target_one_company_row",
            ),
            models.CheckConstraint(
                condition=Q(sales_target__isnull=True) | Q(sales_target__gte=0),
                name="target_sales_non_negative",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(min_open__isnull=True)
                    | Q(**{f"{h}__isnull": True})
                    | Q(**{f"{h}__lte": F("min_open")}),
                    name=f"target_{h}_not_above_total",
                )
                for h in ("min_short", "min_mid", "min_long")
            ],
        ]

    def __str__(self) -> str:
        if self.user_id:
            return str(self.user)
        if self.team_id:
            return str(self.team)
        return str(_("Whole company"))


class Scope(models.TextChoices):
    USER = "user", _("Rep")
    TEAM = "team", _("Team")
    COMPANY = "company", _("Whole company")


class Rule(models.TextChoices):
    OPEN = "open", pgettext_lazy("pipeline count", "Open prospects")
    SHORT = "short", _("Short term")
    MID = "mid", _("Mid term")
    LONG = "long", _("Long term")
    AT_RISK = "at_risk", _("At risk (projection)")


class PipelineAlertQuerySet(models.QuerySet["PipelineAlert"]):
    def open(self) -> PipelineAlertQuerySet:
        return self.filter(resolved_at__isnull=True)

    def visible_to(self, user) -> PipelineAlertQuerySet:
        """The alerts `user` hears about: the bell counts this and its list shows this. Subqueries,
        not joins, so that counts never double."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(_scope_visible_q(user))


class PipelineAlert(models.Model):
    """A scope is below (or heading below) one of its targets. One open alert per scope and rule;
    it resolves by itself when the count recovers."""

    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pipeline_alerts",
        verbose_name=_("rep"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pipeline_alerts",
        verbose_name=_("team"),
    )
    rule = models.CharField(_("rule"), max_length=8, choices=Rule.choices)
    current = models.PositiveIntegerField(_("current count"))
    target = models.PositiveIntegerField(_("target"))
    deficit = models.PositiveIntegerField(_("deficit"))
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last checked at"))
    projected_date = models.DateField(_("projected date"), null=True, blank=True)
    plan = models.JSONField(_("replenishment plan"), default=dict, blank=True)
    # The fingerprint of the plan's inputs (targets.services.plan_inputs): the check rebuilds and
    # rewrites a plan only when it changes. Null: unknown, rebuilt on the next check.
    plan_inputs = models.BigIntegerField(null=True, blank=True, editable=False)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = PipelineAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("pipeline alert")
        verbose_name_plural = _("pipeline alerts")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["resolved_at", "user"], name="alert_open_user"),
            # The check reads the open alerts from this index alone, never the heap that holds the
            # bulky plans (docs/performance.md, "The pipeline target check").
            models.Index(
                fields=["scope", "user", "team", "rule"],
                include=["id", "current", "target", "deficit", "projected_date", "plan_inputs"],
                condition=Q(resolved_at__isnull=True),
                name="alert_open_check",
            ),
        ]
        constraints = [
            # One open alert per scope and rule: INSERT ... ON CONFLICT DO NOTHING relies on it.
            models.UniqueConstraint(
                fields=["scope", "user", "team", "rule"],
                condition=Q(resolved_at__isnull=True),
                nulls_distinct=False,
                name="alert_one_open_per_scope_rule",
            ),
            models.CheckConstraint(
                condition=(Q(scope="user") & Q(user__isnull=False) & Q(team__isnull=True))
                | (Q(scope="team") & Q(user__isnull=True) & Q(team__isnull=False))
                | (Q(scope="company") & Q(user__isnull=True) & Q(team__isnull=True)),
                name="alert_scope_matches_keys",
            ),
            models.CheckConstraint(condition=Q(rule__in=Rule.values), name="alert_rule_valid"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")),
                name="alert_resolved_after_opened",
            ),
            models.CheckConstraint(
                condition=~Q(rule="at_risk") | Q(projected_date__isnull=False),
                name="alert_at_risk_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label}: {self.get_rule_display()}"

    @property
    def replenishment(self) -> dict:
        """The replenishment plan to show: the stored plan worked out for the current deficit."""
        from targets.plans import expand

        return expand(self.plan, self.deficit)

    @property
    def scope_key(self) -> str:
        if self.scope == Scope.USER:
            return f"user-{self.user_id}"
        if self.scope == Scope.TEAM:
            return f"team-{self.team_id}"
        return "company"

    @property
    def scope_label(self) -> str:
        if self.scope == Scope.USER and self.user is not None:
            return self.user.display_name
        if self.scope == Scope.TEAM and self.team is not None:
            return self.team.name
        return str(_("Whole company"))

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AlertDigest(models.Model):
    """The daily digest sent to one person on one day: the row is the claim that makes it once only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert digest")
        verbose_name_plural = _("alert digests")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


# ------------------------------------------------------------------------------- the daily rollup
# The statistics the check reads from the last months (the replenishment plan's source history, the
# early warning's inflow and outflow) change by the day, not by the half hour: they are computed once
# per local day (targets.services.flow_rollup_refresh) into these two tables and read by every check
# of that day. Derived data: rebuilt daily, only today's (and yesterday's) rows are kept.
#
# No database foreign key on owner: ~70,000 rows are written in one statement a day and an RI check
# per row would be most of its cost; the rows come from prospects, whose owner is PROTECTed, and a
# deleted owner's rows go with the next day's refresh (Django still cascades on delete).


class OwnerFlowRollup(models.Model):
    """One owner's (or, owner null, the whole company's) figures of one day: the early warning's
    inflow (prospects created in the 90 days before the day) and outflow (won or lost in those days),
    and the size of the replenishment history (prospects created 30 to 180 days before the day).
    `computed_at` identifies the rollup: part of every plan's fingerprint."""

    day = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # the unique (day, owner...) index serves the reads
        related_name="+",
    )
    inflow = models.PositiveIntegerField(default=0)
    outflow = models.PositiveIntegerField(default=0)
    history = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("daily inflow and outflow")
        verbose_name_plural = _("daily inflows and outflows")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner"], nulls_distinct=False, name="flow_rollup_day_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id or 'company'}"


class SourceHistoryRollup(models.Model):
    """One owner's (owner null: the company's) replenishment history of one day for one source:
    prospects created 30 to 180 days before the day, how many were kept (not lost within 30 days of
    creation), won and lost. Read only for the plans that must be rebuilt."""

    day = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,  # the unique (day, owner...) index serves the reads
        related_name="+",
    )
    source = models.CharField(max_length=20)
    created = models.PositiveIntegerField()
    kept = models.PositiveIntegerField()
    won = models.PositiveIntegerField()
    lost = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("daily source history")
        verbose_name_plural = _("daily source histories")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "owner", "source"],
                nulls_distinct=False,
                name="history_rollup_day_owner_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.owner_id or 'company'} {self.source}"
