from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescrm.lib.choices import ChoiceLabels
from salescrm.lib.formrules import date_in_bounds
from salescrm.lib.months import add_months, this_month

EXTERNAL_ID_MAX_LENGTH = 100
EXTERNAL_ID_TAKEN = _("Another prospect has this external ID.")
# One prospect per external ID (the forms check it with this message, the import matches rows by it).
EXTERNAL_ID_UNIQUE = models.UniqueConstraint(
    fields=["external_id"],
    condition=~Q(external_id=""),
    name="prospect_external_id_unique",
    violation_error_code="external_id_taken",
    violation_error_message=EXTERNAL_ID_TAKEN,
)


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term")
    MID = "mid", _("Mid term")
    LONG = "long", _("Long term")


class Source(models.TextChoices):
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door")
    INBOUND = "inbound", _("Inbound inquiry")
    EXHIBITION = "exhibition", _("Exhibition")
    FLYER = "flyer", _("Flyer")
    REFERRAL = "referral", _("Referral")
    # A follow-up of a lost deal, made on its re-contact date (closing.services): not a new lead of
    # the lost deal's source, in the ledger or in the yields.
    REVIVAL = "revival", _("Revival")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class LostReason(models.TextChoices):
    PRICE = "price", _("Price")
    COMPETITOR = "competitor", _("Chose a competitor")
    POSTPONED = "postponed", _("Postponed")
    NO_BUDGET = "no_budget", _("No budget")
    NO_RESPONSE = "no_response", _("No response")
    OTHER = "other", _("Other")


def suggest_horizon(expected_month: dt.date | None, today: dt.date | None = None) -> str:
    """The horizon the expected month implies: short = this month or the next HORIZON_SHORT_MONTHS,
    mid = up to HORIZON_MID_MONTHS ahead, long = later or unknown. A past month counts as short:
    the decision is due now."""
    if expected_month is None:
        return Horizon.LONG
    current = this_month(today)
    if expected_month <= add_months(current, settings.HORIZON_SHORT_MONTHS):
        return Horizon.SHORT
    if expected_month <= add_months(current, settings.HORIZON_MID_MONTHS):
        return Horizon.MID
    return Horizon.LONG


class ProspectQuerySet(models.QuerySet["Prospect"]):
    def open(self) -> ProspectQuerySet:
        return self.filter(status=Status.OPEN)

    def closed(self) -> ProspectQuerySet:
        return self.exclude(status=Status.OPEN)

    def visible_to(self, user) -> ProspectQuerySet:
        from accounts.access import visible_owner_ids_q

        return self.filter(visible_owner_ids_q(user))


class _OpenCountFunc(pgtrigger.Func):
    """A trigger body that names the prospect's columns ({columns.x}) and the OpenCount table
    ({counts}) from the models; rendered when the trigger is compiled, after both classes exist."""

    def render(self, **kwargs) -> str:
        return super().render(counts=OpenCount._meta.db_table, open=Status.OPEN.value, **kwargs)


# The net change of one statement's open prospects per (owner, horizon), from its transition tables.
_COUNT_INSERTED = """
INSERT INTO {counts} (owner_id, horizon, n, amount, amount_x_probability)
SELECT {columns.owner}, {columns.horizon}, count(*), sum({columns.amount}),
    sum({columns.amount} * {columns.probability})
FROM new_rows WHERE {columns.status} = '{open}' GROUP BY {columns.owner}, {columns.horizon};
RETURN NULL;
"""
_COUNT_UPDATED = """
INSERT INTO {counts} (owner_id, horizon, n, amount, amount_x_probability)
SELECT owner_id, horizon, sum(n), sum(amount), sum(ap) FROM (
    SELECT {columns.owner} AS owner_id, {columns.horizon} AS horizon, 1 AS n, {columns.amount} AS amount,
        {columns.amount} * {columns.probability} AS ap
    FROM new_rows WHERE {columns.status} = '{open}'
    UNION ALL
    SELECT {columns.owner}, {columns.horizon}, -1, -{columns.amount}, -({columns.amount} * {columns.probability})
    FROM old_rows WHERE {columns.status} = '{open}'
) AS change
GROUP BY owner_id, horizon HAVING sum(n) <> 0 OR sum(amount) <> 0 OR sum(ap) <> 0;
RETURN NULL;
"""
_COUNT_DELETED = """
INSERT INTO {counts} (owner_id, horizon, n, amount, amount_x_probability)
SELECT {columns.owner}, {columns.horizon}, -count(*), -sum({columns.amount}),
    -sum({columns.amount} * {columns.probability})
FROM old_rows WHERE {columns.status} = '{open}' GROUP BY {columns.owner}, {columns.horizon};
RETURN NULL;
"""


def _statement_triggers(name: str, *, inserted, updated, deleted, truncated) -> list[pgtrigger.Trigger]:
    """After-statement triggers `<name>_insert`, `_update`, `_delete` and `_truncate`, each function reading
    the statement's rows as `new_rows` and `old_rows`."""
    after = {"level": pgtrigger.Statement, "when": pgtrigger.After}
    return [
        pgtrigger.Trigger(
            name=f"{name}_insert",
            operation=pgtrigger.Insert,
            referencing=pgtrigger.Referencing(new="new_rows"),
            func=inserted,
            **after,
        ),
        pgtrigger.Trigger(
            name=f"{name}_update",
            operation=pgtrigger.Update,
            referencing=pgtrigger.Referencing(old="old_rows", new="new_rows"),
            func=updated,
            **after,
        ),
        pgtrigger.Trigger(
            name=f"{name}_delete",
            operation=pgtrigger.Delete,
            referencing=pgtrigger.Referencing(old="old_rows"),
            func=deleted,
            **after,
        ),
        pgtrigger.Trigger(name=f"{name}_truncate", operation=pgtrigger.Truncate, func=truncated, **after),
    ]


# Keep prospects.OpenCount exact in the transaction of every write (ORM, bulk, COPY, raw SQL):
# statement-level, so a 100,000-row import adds a few rows, not 100,000 (see prospects/counts.py).
OPEN_COUNT_TRIGGERS = _statement_triggers(
    "open_count",
    inserted=_OpenCountFunc(_COUNT_INSERTED),
    updated=_OpenCountFunc(_COUNT_UPDATED),
    deleted=_OpenCountFunc(_COUNT_DELETED),
    truncated=_OpenCountFunc("DELETE FROM {counts}; RETURN NULL;"),
)


# What makes a prospect a lead of its lead activity, the one statement of the rule: linked to one and
# not a revival (a lost deal's follow-up is never a new lead). SQL on a prospect row's own columns, for
# the triggers below, the lead activity's insert trigger and the nightly repair (prospects/counts.py).
LEAD_RULE = f"lead_activity_id IS NOT NULL AND source <> '{Source.REVIVAL.value}'"


class _LeadCountFunc(pgtrigger.Func):
    """A trigger body that names the lead activity table ({activities}) and the rule ({rule})."""

    def render(self, **kwargs) -> str:
        from activities.models import LeadActivity

        return super().render(activities=LeadActivity._meta.db_table, rule=LEAD_RULE, **kwargs)


# One statement's net change of leads per lead activity ({change}: rows of lead_activity_id, n), added
# to the counts. The activity rows are locked in id order first, so two statements touching the same
# activities queue instead of deadlocking; a change netting to zero (an edit of a lead's name) locks none.
_LEAD_COUNT_NET = "SELECT lead_activity_id, sum(n) AS n FROM ({change}) AS c GROUP BY 1 HAVING sum(n) <> 0"
_LEAD_COUNT_CHANGE = f"""
PERFORM 1 FROM {{activities}} WHERE id IN (SELECT lead_activity_id FROM ({_LEAD_COUNT_NET}) AS net)
ORDER BY id FOR NO KEY UPDATE;
UPDATE {{activities}} AS a SET lead_count = a.lead_count + net.n FROM ({_LEAD_COUNT_NET}) AS net
WHERE a.id = net.lead_activity_id;
RETURN NULL;
"""
_LEADS_IN = "SELECT lead_activity_id, 1 AS n FROM new_rows WHERE {rule}"
_LEADS_OUT = "SELECT lead_activity_id, -1 AS n FROM old_rows WHERE {rule}"


def _lead_count_func(change: str) -> _LeadCountFunc:
    return _LeadCountFunc(_LEAD_COUNT_CHANGE.replace("{change}", change))


# Keep LeadActivity.lead_count exact in the transaction of every write of prospects (ORM, bulk, COPY,
# raw SQL), one statement at a time, as OPEN_COUNT_TRIGGERS keep the open counts.
LEAD_COUNT_TRIGGERS = _statement_triggers(
    "lead_count",
    inserted=_lead_count_func(_LEADS_IN),
    updated=_lead_count_func(f"{_LEADS_IN} UNION ALL {_LEADS_OUT}"),
    deleted=_lead_count_func(_LEADS_OUT),
    truncated=_LeadCountFunc("UPDATE {activities} SET lead_count = 0 WHERE lead_count <> 0; RETURN NULL;"),
)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange(exclude_auto=True)),
    pghistory.DeleteEvent(),
    exclude=["updated_at"],
    model_name="ProspectEvent",
    meta={"verbose_name": _("prospect change"), "verbose_name_plural": _("prospect changes")},
    # The removed "next action" field's recorded values stay readable in the history (docs/glossary.md,
    # "The next action's history"): events written before prospects 0022 hold them, later ones NULL.
    attrs={
        "next_action": models.CharField(_("next action"), max_length=200, null=True, editable=False),
        "next_action_on": models.DateField(_("next action date"), null=True, editable=False),
    },
)
class Prospect(ChoiceLabels, models.Model):
    """A person or company that may buy. Its horizon is the rep's call; the rest are facts."""

    name = models.CharField(_("prospect name"), max_length=200)
    contact_person = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("owner"),
        # No index of its own: every (owner, ...) index in Meta serves lookups by owner, and each index
        # more slows every write (imports above all).
        db_index=False,
    )
    horizon = models.CharField(_("horizon"), max_length=8, choices=Horizon.choices, default=Horizon.LONG)
    probability = models.PositiveSmallIntegerField(
        _("probability"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Chance of winning, 0-100 %."),
    )
    expected_month = models.DateField(
        _("expected month"), null=True, blank=True, help_text=_("Month of the expected decision.")
    )
    expected_month_slips = models.PositiveSmallIntegerField(
        _("times the expected month slipped"), default=0, editable=False
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    # No currency: every amount is in the company's one currency (settings.COMPANY_CURRENCY).
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    # No "next action" field: the next planned activity is the next action (activities.selectors.next).
    notes = models.TextField(_("notes"), blank=True)

    # The end of the deal (the outcome); owned by the closing app's services.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    won_amount = models.DecimalField(_("won amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=20, choices=LostReason.choices, blank=True)
    competitor = models.CharField(_("competitor"), max_length=200, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    recontact_on = models.DateField(_("re-contact on"), null=True, blank=True)
    origin = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
        verbose_name=_("follow-up of"),
    )
    # The lead-generation activity it came from (a flyer drop, an exhibition, ...): its source follows
    # from the activity's kind (activities.leadgen).
    lead_activity = models.ForeignKey(
        "activities.LeadActivity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prospects",
        verbose_name=_("lead activity"),
    )

    # The customer (名寄せ, #19). The text fields above stay as typed until every reader is switched.
    company = models.ForeignKey(
        "companies.Company",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("company"),
    )
    contact = models.ForeignKey(
        "companies.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("contact"),
    )

    # What the deal is for, from the admin-kept product list (an import may fill an empty amount from
    # its list price). No index: read only when a product is deleted (admin), and each index slows writes.
    product = models.ForeignKey(
        "products.Product",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prospects",
        verbose_name=_("product"),
        db_index=False,
    )

    # The deal's ID in the system it came from (a CRM export's opportunity ID): an import with "update
    # existing" finds the prospect by it. Unique among the prospects that have one. Empty in the database
    # too (db_default) for the writers that name their columns (COPY, raw SQL): they need not know it.
    external_id = models.CharField(
        _("external ID"),
        max_length=EXTERNAL_ID_MAX_LENGTH,
        blank=True,
        default="",
        db_default="",
        help_text=_("The deal's ID in another system (a CRM it was imported from)."),
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("prospect")
        verbose_name_plural = _("prospects")
        ordering = ["-updated_at", "-id"]
        triggers = [*OPEN_COUNT_TRIGGERS, *LEAD_COUNT_TRIGGERS]
        indexes = [
            # The open pipeline of a rep or a team, read from the index alone (no heap visit): the board's
            # column sums, and its cards in their order (expected month, weighted amount, id) for each
            # owner and horizon, so a column's first cards of each of a team's reps are the first
            # entries of the index (no sort of every open prospect); the month list's totals.
            models.Index(
                F("owner"),
                F("horizon"),
                F("expected_month"),
                (F("amount") * F("probability")).desc(),
                F("id"),
                include=["amount", "probability"],
                condition=Q(status="open"),
                name="prospect_open_ranked",
            ),
            # The prospect list's COUNT of a rep or a manager's owners with its usual filters (status,
            # horizon, source, months) from the index alone (docs/performance.md); it also serves every
            # "one owner, status (, horizon)" read.
            models.Index(
                fields=["owner", "status", "horizon", "source"],
                include=["expected_month"],
                name="prospect_list_filters",
            ),
            # The monthly list: open prospects expected in one month.
            models.Index(fields=["status", "expected_month"], name="prospect_status_month"),
            # The monthly list of one rep or a team's reps: per owner, the open prospects of a month (and
            # the short ones with no month, at the end) by weighted amount, then name, as the list
            # orders them, with what its totals sum: a page and its totals from the index alone.
            models.Index(
                F("owner"),
                F("expected_month"),
                (F("amount") * F("probability")).desc(),
                F("name"),
                F("id"),
                include=["horizon", "amount", "probability"],
                condition=Q(status="open"),
                name="prospect_open_month",
            ),
            # The prospect list's default page for a rep: their open prospects, last updated first. The
            # first 25 entries are the page, so the rep's open count does not matter (no sort of them all).
            models.Index(
                fields=["owner", "-updated_at", "-id"],
                condition=Q(status="open"),
                name="prospect_open_updated",
            ),
            # The agenda: "is this activity's prospect open and owned by one of these reps", answered
            # from the index alone (with the name the agenda shows).
            models.Index(
                fields=["owner", "id"],
                include=["name"],
                condition=Q(status="open"),
                name="prospect_open_owner",
            ),
            # Win/loss statistics by close month.
            models.Index(fields=["status", "closed_on"], name="prospect_status_closed"),
            # The target check's history and inflow: prospects created in the last 180 days per owner
            # and source, read in this order from the index alone (no sort, no heap).
            models.Index(
                fields=["owner", "source", "created_at"],
                include=["status", "closed_on"],
                name="prospect_owner_source_created",
            ),
        ]
        constraints = [
            *date_in_bounds("prospect", "expected_month", "closed_on", "recontact_on"),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=100), name="prospect_probability_0_100"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="prospect_amount_non_negative"),
            models.CheckConstraint(condition=~Q(name__regex=r"^\s*$"), name="prospect_name_not_blank"),
            models.CheckConstraint(condition=Q(horizon__in=Horizon.values), name="prospect_horizon_valid"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="prospect_source_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="prospect_status_valid"),
            models.CheckConstraint(
                condition=Q(lost_reason="") | Q(lost_reason__in=LostReason.values),
                name="prospect_lost_reason_valid",
            ),
            models.CheckConstraint(
                condition=Q(expected_month__isnull=True) | Q(expected_month__day=1),
                name="prospect_expected_month_first_day",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="prospect_version_positive"),
            # Its index also finds a re-imported row's prospect.
            EXTERNAL_ID_UNIQUE,
            # Outcome invariants: open has no outcome; won has a date and a non-negative amount;
            # lost has a date and a reason, and a competitor name when lost to a competitor.
            models.CheckConstraint(
                condition=~Q(status=Status.OPEN)
                | (Q(closed_on__isnull=True) & Q(won_amount__isnull=True) & Q(lost_reason="")),
                name="prospect_open_has_no_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.WON)
                | (Q(closed_on__isnull=False) & Q(won_amount__isnull=False) & Q(won_amount__gte=0)),
                name="prospect_won_has_date_and_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.LOST) | (Q(closed_on__isnull=False) & ~Q(lost_reason="")),
                name="prospect_lost_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(lost_reason=LostReason.COMPETITOR) | ~Q(competitor__regex=r"^\s*$"),
                name="prospect_competitor_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self) -> Decimal:
        """amount x probability / 100, exact: rounded once, half up, where it is shown (the money
        filter) or exported, as every page rounds it (pipeline.selectors.rules.round_money)."""
        return self.amount * self.probability / Decimal(100)

    @property
    def suggested_horizon(self) -> str:
        return suggest_horizon(self.expected_month)

    @property
    def horizon_follows_month(self) -> bool:
        """The horizon is the one its expected month suggests: it follows the month when that changes."""
        return self.horizon == self.suggested_horizon

    @property
    def horizon_disagrees(self) -> bool:
        return self.status == Status.OPEN and self.horizon != self.suggested_horizon

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    @property
    def is_month_passed(self) -> bool:
        return self.is_open and self.expected_month is not None and self.expected_month < this_month()

    @property
    def is_action_overdue(self) -> bool:
        """Its next planned activity is past (read where annotated: activities.selectors.next_activity_columns)."""
        at = getattr(self, "next_activity_at", None)
        return self.is_open and at is not None and timezone.localdate(at) < timezone.localdate()


class OpenCount(models.Model):
    """Open prospects per owner and horizon, with their amount and amount x probability, kept by
    PostgreSQL triggers on the prospect table: each INSERT, UPDATE, DELETE or COPY statement adds one
    row per (owner, horizon) whose figures it changed, with the change, in the same transaction;
    TRUNCATE empties it. An owner's open count (or sum) in a horizon is the SUM of its rows, so the
    target check, the targets page, the home page and the unfiltered board read a few rows per owner
    instead of every open prospect (1,000,000 at L).

    Rows are only ever added (no row is updated), so two saves of the same rep's prospects never wait
    for each other here. `compact()` folds the rows into one per (owner, horizon) and `reconcile()`
    compares them with a real count and sums and rewrites them on a difference; the nightly task
    prospects.open_count_upkeep runs both (prospects/counts.py). The triggers are OPEN_COUNT_TRIGGERS,
    declared on Prospect."""

    owner_id = models.BigIntegerField(_("owner"))  # no foreign key: a row outlives nothing it counts
    horizon = models.CharField(_("horizon"), max_length=8, choices=Horizon.choices)
    n = models.IntegerField(_("change in open prospects"))
    # Wide enough for the sum of every prospect of an owner at the largest amount (14 digits each).
    amount = models.DecimalField(_("change in amount"), max_digits=24, decimal_places=2, default=Decimal(0))
    # amount x probability (percent), not divided: the weighted amount is its sum / 100, exactly.
    amount_x_probability = models.DecimalField(
        _("change in amount x probability"), max_digits=28, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("open count")
        verbose_name_plural = _("open counts")
        indexes = [models.Index(fields=["owner_id"], name="open_count_owner")]
        constraints = [
            models.CheckConstraint(condition=Q(horizon__in=Horizon.values), name="open_count_horizon_valid")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id}/{self.horizon}: {self.n:+d} ({self.amount:+})"
