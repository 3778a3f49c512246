"""Pipeline settings (rank bands), forecast snapshots and the daily horizon-upkeep record."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Rank(models.TextChoices):
    A = "A", _("A rank")
    B = "B", _("B rank")
    C = "C", _("C rank")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="RankBandsEvent",
    meta={"verbose_name": _("rank bands change"), "verbose_name_plural": _("rank bands changes")},
)
class RankBands(models.Model):
    """The probability bands of the ranks (ヨミ): A >= a_min, B >= b_min, C below. One row (pk=1).

    The rank is always derived from a prospect's probability with these bands; it is never stored."""

    SINGLETON_PK = 1
    DEFAULT_A = 80
    DEFAULT_B = 50

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK, editable=False)
    a_min = models.PositiveSmallIntegerField(
        _("A rank from (%)"), default=DEFAULT_A, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    b_min = models.PositiveSmallIntegerField(
        _("B rank from (%)"), default=DEFAULT_B, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rank bands")
        verbose_name_plural = _("rank bands")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="rankbands_singleton"),
            models.CheckConstraint(condition=Q(a_min__gt=F("b_min")), name="rankbands_a_above_b"),
            models.CheckConstraint(condition=Q(a_min__lte=100) & Q(b_min__gte=1), name="rankbands_range"),
        ]

    def __str__(self) -> str:
        return f"A >= {self.a_min}%, B >= {self.b_min}%"

    @classmethod
    def load(cls) -> RankBands:
        """The bands in force (one query); the defaults when no row was saved yet."""
        return cls.objects.filter(pk=cls.SINGLETON_PK).first() or cls()

    def rank(self, probability: int) -> str:
        if probability >= self.a_min:
            return Rank.A
        if probability >= self.b_min:
            return Rank.B
        return Rank.C

    def rank_q(self, rank: str, field: str = "probability") -> Q:
        """A filter on `field` selecting the prospects of `rank` (for conditional aggregation)."""
        if rank == Rank.A:
            return Q(**{f"{field}__gte": self.a_min})
        if rank == Rank.B:
            return Q(**{f"{field}__gte": self.b_min, f"{field}__lt": self.a_min})
        return Q(**{f"{field}__lt": self.b_min})


class ForecastSnapshot(models.Model):
    """The "might buy this month" list of one scope as it stood at the start of `month`.

    scope is "all", "team-<id>" or "user-<id>"; one snapshot per (scope, month)."""

    scope = models.CharField(_("scope"), max_length=32)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="forecast_snapshots"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="forecast_snapshots",
    )
    month = models.DateField(_("month"))
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("taken by"),
    )

    class Meta:
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")
        ordering = ["-month", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "month"], name="snapshot_scope_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="snapshot_month_first_day"),
            models.CheckConstraint(
                condition=(Q(scope="all") & Q(team__isnull=True) & Q(user__isnull=True))
                | (Q(scope__startswith="team-") & Q(team__isnull=False) & Q(user__isnull=True))
                | (Q(scope__startswith="user-") & Q(user__isnull=False) & Q(team__isnull=True)),
                name="snapshot_scope_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.month:%Y-%m}"

    @classmethod
    def for_month(cls, scope: str, month) -> ForecastSnapshot | None:
        """The snapshot of (scope, month) if one was taken (the pair is unique, so no ordering)."""
        return next(iter(cls.objects.filter(scope=scope, month=month)[:1]), None)


class ForecastSnapshotLine(models.Model):
    """One prospect on the list when the snapshot was taken, with the figures it had then."""

    snapshot = models.ForeignKey(ForecastSnapshot, on_delete=models.CASCADE, related_name="lines")
    prospect = models.ForeignKey("prospects.Prospect", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    horizon = models.CharField(max_length=8)
    probability = models.PositiveSmallIntegerField()
    expected_month = models.DateField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    weighted = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("forecast snapshot line")
        verbose_name_plural = _("forecast snapshot lines")
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "prospect"], name="snapshot_line_unique"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal(0)), name="snapshot_line_amount_ok"),
        ]

    def __str__(self) -> str:
        return self.name


class UpkeepRun(models.Model):
    """What the daily horizon upkeep found on one day (refreshed in place: one row per day)."""

    ran_on = models.DateField(_("day"), unique=True)
    month_passed = models.PositiveIntegerField(_("open prospects whose expected month passed"), default=0)
    horizon_disagrees = models.PositiveIntegerField(
        _("open prospects whose horizon differs from the suggested one"), default=0
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("horizon upkeep run")
        verbose_name_plural = _("horizon upkeep runs")
        ordering = ["-ran_on"]

    def __str__(self) -> str:
        return f"{self.ran_on}: {self.month_passed} / {self.horizon_disagrees}"
