from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salescrm.lib.formrules import date_in_bounds


class QuestionKind(models.TextChoices):
    PRICE = "price", _("Price")
    TIMING = "timing", _("Timing")
    DECISION = "decision", _("Decision")
    INVITATION = "invitation", _("Invitation (showroom, proposal, trial)")


class Reading(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    UNDECIDED = "undecided", _("Undecided")
    NEGATIVE = "negative", _("Negative")


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="TestClosingQuestionEvent",
    meta={
        "verbose_name": _("test-closing question change"),
        "verbose_name_plural": _("test-closing question changes"),
    },
)
class TestClosingQuestion(models.Model):
    """The bank of test-closing questions, kept by admins. Retired, never deleted once used."""

    __test__ = False  # a domain name, not a pytest class

    text_ja = models.CharField(_("question (Japanese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    is_retired = models.BooleanField(_("retired"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("test-closing question")
        verbose_name_plural = _("test-closing questions")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="tcq_kind_valid"),
            models.CheckConstraint(condition=~Q(text_ja__regex=r"^\s*$"), name="tcq_text_ja_not_blank"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_ja if (get_language() or "ja").startswith("ja") else (self.text_en or self.text_ja)


class TestClosingQuerySet(models.QuerySet["TestClosing"]):
    def visible_to(self, user) -> TestClosingQuerySet:
        """The test closings of the prospects `user` may see (accounts.access's rule)."""
        from accounts.access import visible_owner_ids_q

        return self.filter(visible_owner_ids_q(user, "prospect__owner"))


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    model_name="TestClosingEvent",
    meta={"verbose_name": _("test closing change"), "verbose_name_plural": _("test closing changes")},
)
class TestClosing(models.Model):
    """One asked question and the customer's answer. Never edited after its day; only annotated."""

    __test__ = False  # a domain name, not a pytest class

    prospect = models.ForeignKey(
        "prospects.Prospect",
        on_delete=models.CASCADE,
        related_name="test_closings",
        verbose_name=_("prospect"),
    )
    question = models.ForeignKey(
        TestClosingQuestion,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="uses",
        verbose_name=_("question"),
    )
    question_text = models.CharField(_("question asked"), max_length=300)
    answer = models.TextField(_("customer's answer"))
    reading = models.CharField(_("reading"), max_length=12, choices=Reading.choices)
    revealed_month = models.DateField(_("revealed timing"), null=True, blank=True)
    revealed_budget = models.DecimalField(
        _("revealed budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    revealed_decision_maker = models.CharField(_("decision maker"), max_length=200, blank=True)
    annotation = models.TextField(_("annotation"), blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="test_closings",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)

    objects = TestClosingQuerySet.as_manager()

    class Meta:
        verbose_name = _("test closing")
        verbose_name_plural = _("test closings")
        ordering = ["-asked_at", "-id"]
        indexes = [
            # Last test closing per prospect (board, monthly list, "waiting too long").
            models.Index(fields=["prospect", "-asked_at"], name="tc_prospect_asked"),
            # Statistics per rep and month.
            models.Index(fields=["asked_by", "asked_at"], name="tc_asked_by_at"),
        ]
        constraints = [
            *date_in_bounds("tc", "revealed_month"),
            models.CheckConstraint(condition=Q(reading__in=Reading.values), name="tc_reading_valid"),
            models.CheckConstraint(condition=~Q(question_text__regex=r"^\s*$"), name="tc_question_not_blank"),
            models.CheckConstraint(
                condition=Q(revealed_budget__isnull=True) | Q(revealed_budget__gte=0),
                name="tc_budget_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(revealed_month__isnull=True) | Q(revealed_month__day=1), name="tc_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_text} → {self.get_reading_display()}"


@pghistory.track(
    pghistory.InsertEvent(),
    model_name="ReopeningEvent",
    meta={"verbose_name": _("reopening record"), "verbose_name_plural": _("reopening records")},
)
class Reopening(models.Model):
    """A closed prospect put back into the pipeline by a manager or an admin, and why.

    The outcome it undid is kept here too, so the reason can be read next to what was reopened.
    """

    prospect = models.ForeignKey(
        "prospects.Prospect", on_delete=models.CASCADE, related_name="reopenings", verbose_name=_("prospect")
    )
    reason = models.TextField(_("reason"))
    previous_status = models.CharField(_("previous status"), max_length=8)
    previous_closed_on = models.DateField(_("previous close date"))
    previous_won_amount = models.DecimalField(
        _("previous won amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    previous_lost_reason = models.CharField(_("previous lost reason"), max_length=20, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reopened by")
    )
    at = models.DateTimeField(_("reopened at"), default=timezone.now)

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason__regex=r"^\s*$"), name="reopening_reason_not_blank"),
            models.CheckConstraint(
                condition=Q(previous_status__in=["won", "lost"]), name="reopening_previous_closed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prospect_id}: {self.reason[:40]}"


class Recontact(models.Model):
    """The follow-up prospect made on a lost prospect's re-contact date.

    The unique (lost prospect, date) pair is the claim: the daily job inserts it before creating the
    follow-up, so a re-run or a retried task cannot create a second one.
    """

    lost_prospect = models.ForeignKey(
        "prospects.Prospect",
        on_delete=models.CASCADE,
        related_name="recontacts",
        verbose_name=_("lost prospect"),
    )
    recontact_on = models.DateField(_("re-contact on"))
    followup = models.OneToOneField(
        "prospects.Prospect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recontact_source",
        verbose_name=_("follow-up prospect"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("re-contact")
        verbose_name_plural = _("re-contacts")
        constraints = [
            models.UniqueConstraint(fields=["lost_prospect", "recontact_on"], name="recontact_once_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.lost_prospect_id} @ {self.recontact_on}"
