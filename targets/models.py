from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    model_name="PipelineTargetEvent",
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
