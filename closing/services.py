"""Closing workflows: test closings and what they propose, won/lost outcomes, reopening, re-contact.

Outcomes are written with a conditional UPDATE ... WHERE status='open' AND version=expected, so a double
submit (two clicks, two tabs) records exactly one outcome and the second caller is told why.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, F, ProtectedError, TextField, Value, When
from django.db.models.functions import Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.access import can_manage
from accounts.models import User
from activities.models import Activity, ActivityKind
from activities.services import (
    local_midnight,
    planned_cancel_for_closed,
    planned_restore_for_reopened,
)
from closing.models import Reading, Recontact, Reopening, TestClosing, TestClosingQuestion
from prospects.models import Horizon, LostReason, Prospect, Source, Status, suggest_horizon
from prospects.services import (
    ProspectConflict,
    prospect_create,
    prospect_update,
)
from prospects.signals import pipeline_changed_send, prospect_changed_send
from salescrm.lib.months import add_months, this_month

logger = logging.getLogger(__name__)

ALREADY_CLOSED_MESSAGE = _("This prospect is already closed; nothing was recorded.")
NOT_CLOSED_MESSAGE = _("This prospect is open; there is nothing to reopen.")
CLOSED_NO_TEST_CLOSING_MESSAGE = _(
    "This prospect is closed; test closings are logged on open prospects only."
)
FUTURE_DATE_MESSAGE = _("The date cannot be in the future.")
AMOUNT_REQUIRED_MESSAGE = _("Enter the final amount (0 or more).")
NEGATIVE_AMOUNT_MESSAGE = _("The amount cannot be negative.")
REASON_REQUIRED_MESSAGE = _("Choose a lost reason.")
COMPETITOR_REQUIRED_MESSAGE = _("Name the competitor the customer chose.")
REOPEN_REASON_REQUIRED_MESSAGE = _("Say why the prospect is reopened.")
REOPEN_NOT_ALLOWED_MESSAGE = _(
    "Only the owner's manager or an administrator may reopen a prospect; its owner may undo an outcome "
    "on the day it was recorded."
)
EDIT_NOT_ALLOWED_MESSAGE = _(
    "A test closing can be edited only by the person who logged it, on the day it was logged. "
    "Add an annotation instead."
)
ANNOTATION_REQUIRED_MESSAGE = _("Write the annotation.")
QUESTION_IN_USE_MESSAGE = _(
    "This question has been used in test closings and cannot be deleted. Retire it instead."
)


@dataclass
class AlreadyClosed(Exception):
    """The prospect was closed by someone else (or by a double submit) before this request."""

    current: Prospect

    def __str__(self) -> str:
        return str(ALREADY_CLOSED_MESSAGE)


# --- The question library


def question_delete(*, question: TestClosingQuestion) -> None:
    """Only a question never asked may be deleted; the PROTECT foreign key backs this up."""
    if question.uses.exists():
        raise ValidationError(QUESTION_IN_USE_MESSAGE)
    try:
        with transaction.atomic():
            question.delete()
    except ProtectedError:
        raise ValidationError(QUESTION_IN_USE_MESSAGE) from None


# --- Test closings


def test_closing_log(
    *,
    prospect: Prospect,
    by: User,
    question: TestClosingQuestion | None,
    question_text: str,
    answer: str,
    reading: str,
    revealed_month: dt.date | None = None,
    revealed_budget: Decimal | None = None,
    revealed_decision_maker: str = "",
) -> TestClosing:
    if not prospect.is_open:
        raise ValidationError(CLOSED_NO_TEST_CLOSING_MESSAGE)
    if question is not None and not question_text.strip():
        question_text = question.text_ja  # what is said to the customer, whatever the UI language
    test_closing = TestClosing(
        prospect=prospect,
        question=question,
        question_text=question_text.strip(),
        answer=answer,
        reading=reading,
        revealed_month=revealed_month,
        revealed_budget=revealed_budget,
        revealed_decision_maker=revealed_decision_maker,
        asked_by=by,
    )
    test_closing.full_clean(validate_constraints=False)  # one query per CHECK otherwise; the DB enforces them
    test_closing.save()
    return test_closing


def test_closing_is_editable(test_closing: TestClosing, user: User, *, today: dt.date | None = None) -> bool:
    """Only its author, only on the day it was logged (Asia/Tokyo). Afterwards it is annotated, not edited."""
    today = today or timezone.localdate()
    return test_closing.asked_by_id == user.pk and timezone.localdate(test_closing.asked_at) == today


def test_closing_edit(*, test_closing: TestClosing, by: User, **changes) -> TestClosing:
    allowed = {"answer", "reading", "revealed_month", "revealed_budget", "revealed_decision_maker"}
    if set(changes) - allowed:
        raise ValueError(f"not editable: {sorted(set(changes) - allowed)}")
    if not test_closing_is_editable(test_closing, by):
        raise PermissionDenied(EDIT_NOT_ALLOWED_MESSAGE)
    for key, value in changes.items():
        setattr(test_closing, key, value)
    test_closing.full_clean(validate_constraints=False)  # one query per CHECK otherwise; the DB enforces them
    # Conditional on author and day in SQL too, so an edit posted just after midnight is refused.
    start_of_today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    count = TestClosing.objects.filter(pk=test_closing.pk, asked_by=by, asked_at__gte=start_of_today).update(
        **changes
    )
    if count == 0:
        raise PermissionDenied(EDIT_NOT_ALLOWED_MESSAGE)
    return test_closing


def test_closing_annotate(*, test_closing: TestClosing, by: User, text: str) -> TestClosing:
    """Append a dated, signed line; never rewrite what was there (a concurrent annotation is kept)."""
    text = text.strip()
    if not text:
        raise ValidationError(ANNOTATION_REQUIRED_MESSAGE)
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    line = f"[{stamp} {by.display_name}] {text}"

    # Concatenate in SQL so that two annotations at the same moment both survive.
    TestClosing.objects.filter(pk=test_closing.pk).update(
        annotation=Case(
            When(annotation="", then=Value(line)),
            default=Concat(F("annotation"), Value("\n" + line), output_field=TextField()),
            output_field=TextField(),
        )
    )
    test_closing.refresh_from_db(fields=["annotation"])
    return test_closing


# Named after the TestClosing entity, not tests: keep pytest from collecting them when imported.
for _service in (test_closing_log, test_closing_is_editable, test_closing_edit, test_closing_annotate):
    _service.__test__ = False  # type: ignore[attr-defined]


# --- What a test closing proposes


# A clearly negative answer proposes at most this probability (a downgrade, #18).
NEGATIVE_PROBABILITY = 20
# One step longer: where a downgrade moves the horizon (long stays long; closing as lost is offered).
LONGER_HORIZON = {Horizon.SHORT: Horizon.MID, Horizon.MID: Horizon.LONG, Horizon.LONG: Horizon.LONG}
UP, DOWN = "up", "down"


@dataclass
class Proposal:
    horizon: str
    expected_month: dt.date | None
    probability: int
    direction: str = UP  # DOWN: a downgrade, with closing as lost offered beside it

    def differs_from(self, prospect: Prospect) -> bool:
        return (
            self.horizon != prospect.horizon
            or self.expected_month != prospect.expected_month
            or self.probability != prospect.probability
        )


def proposal_for(test_closing: TestClosing, prospect: Prospect) -> Proposal | None:
    """What a positive or timing-revealing answer suggests for the prospect, or None.

    Positive: horizon short (or what the revealed month implies), probability raised to at least
    TEST_CLOSING_POSITIVE_PROBABILITY. A revealed month: that month and the horizon it implies.
    """
    positive = test_closing.reading == Reading.POSITIVE
    month = test_closing.revealed_month
    if not prospect.is_open:
        return None
    if test_closing.reading == Reading.NEGATIVE:
        return downgrade_for(test_closing, prospect)
    if not positive and month is None:
        return None
    horizon = suggest_horizon(month) if month else Horizon.SHORT
    probability = prospect.probability
    if positive:
        probability = max(probability, settings.TEST_CLOSING_POSITIVE_PROBABILITY)
    proposal = Proposal(
        horizon=horizon, expected_month=month or prospect.expected_month, probability=probability
    )
    return proposal if proposal.differs_from(prospect) else None


def downgrade_for(test_closing: TestClosing, prospect: Prospect) -> Proposal:
    """What a clearly negative answer proposes: the probability down to at most NEGATIVE_PROBABILITY,
    the horizon one step longer (LONGER_HORIZON) with an expected month that implies it (a revealed
    month when it does; none for long term), and closing it as lost offered beside. Always a
    proposal, even when the values are already that low: a no is an answer to act on."""
    horizon = LONGER_HORIZON[prospect.horizon]
    month = test_closing.revealed_month or prospect.expected_month
    if suggest_horizon(month) != horizon:
        month = (
            None if horizon == Horizon.LONG else add_months(this_month(), settings.HORIZON_SHORT_MONTHS + 1)
        )
    return Proposal(
        horizon=horizon,
        expected_month=month,
        probability=min(prospect.probability, NEGATIVE_PROBABILITY),
        direction=DOWN,
    )


def proposal_apply(
    *,
    prospect: Prospect,
    by: User,
    expected_version: int | None,
    horizon: str,
    expected_month: dt.date | None,
    probability: int,
) -> Prospect:
    """Through the normal prospect save: history, optimistic lock (ProspectConflict on a stale version)."""
    if not prospect.is_open:
        raise AlreadyClosed(current=prospect)
    return prospect_update(
        prospect=prospect,
        by=by,
        expected_version=expected_version,
        horizon=horizon,
        expected_month=expected_month,
        probability=probability,
    )


# --- Outcomes


def _check_outcome_date(closed_on: dt.date | None) -> None:
    if closed_on is None:
        raise ValidationError({"closed_on": _("Enter the date.")})
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": FUTURE_DATE_MESSAGE})


def _close(*, prospect: Prospect, expected_version: int | None, **outcome) -> Prospect:
    # The conditional UPDATE is the lock: 0 rows means it was closed or changed since the user looked
    # (no version at all is never current: a conflict, as prospect_update does).
    matching = Prospect.objects.filter(pk=prospect.pk, status=Status.OPEN, version=expected_version)
    count = (
        matching.update(
            **outcome,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if expected_version
        else 0
    )
    if count == 0:
        current = Prospect.objects.select_related("owner").get(pk=prospect.pk)
        if current.status != Status.OPEN:
            raise AlreadyClosed(current=current)
        raise ProspectConflict(current=current, expected_version=expected_version)
    # A closed deal has no next step: its planned activities are cancelled (kept; a reopening plans
    # them again), in the same transaction as the outcome.
    planned_cancel_for_closed(prospect_ids=[prospect.pk])
    pipeline_changed_send(owner_ids=[prospect.owner_id])
    prospect.refresh_from_db()
    prospect_changed_send(prospect=prospect, change=outcome["status"])  # "won" or "lost"
    return prospect


@transaction.atomic
def outcome_record_won(
    *,
    prospect: Prospect,
    by: User,
    expected_version: int | None,
    amount: Decimal | None,
    closed_on: dt.date | None,
) -> Prospect:
    if amount is None:
        raise ValidationError({"amount": AMOUNT_REQUIRED_MESSAGE})
    if amount < 0:
        raise ValidationError({"amount": NEGATIVE_AMOUNT_MESSAGE})
    _check_outcome_date(closed_on)
    return _close(
        prospect=prospect,
        expected_version=expected_version,
        status=Status.WON,
        won_amount=amount,
        closed_on=closed_on,
    )


@transaction.atomic
def outcome_record_lost(
    *,
    prospect: Prospect,
    by: User,
    expected_version: int | None,
    closed_on: dt.date | None,
    reason: str,
    competitor: str = "",
    note: str = "",
    recontact_on: dt.date | None = None,
) -> Prospect:
    if reason not in LostReason.values:
        raise ValidationError({"reason": REASON_REQUIRED_MESSAGE})
    competitor = competitor.strip()
    if reason == LostReason.COMPETITOR and not competitor:
        raise ValidationError({"competitor": COMPETITOR_REQUIRED_MESSAGE})
    _check_outcome_date(closed_on)
    if recontact_on is not None and closed_on is not None and recontact_on <= closed_on:
        raise ValidationError({"recontact_on": _("The re-contact date must be after the date it was lost.")})
    return _close(
        prospect=prospect,
        expected_version=expected_version,
        status=Status.LOST,
        closed_on=closed_on,
        lost_reason=reason,
        competitor=competitor,
        outcome_note=note.strip(),
        recontact_on=recontact_on,
    )


def outcome_may_reopen(*, prospect: Prospect, user: User, today: dt.date | None = None) -> bool:
    """The owner's manager or an admin, at any time; the owner too on the day the outcome was recorded
    (an undo right after a wrong click). A closed prospect is not edited, so its last update is the close."""
    if prospect.is_open:
        return False
    if can_manage(user, prospect.owner):
        return True
    today = today or timezone.localdate()
    return user.pk == prospect.owner_id and timezone.localdate(prospect.updated_at) == today


@transaction.atomic
def outcome_reopen(*, prospect: Prospect, by: User, reason: str) -> Prospect:
    """Back into the open pipeline, with the reason and the undone outcome kept in a Reopening and in
    the history (the reason is the change's context); the planned activities its closing cancelled are
    planned again."""
    if not prospect.is_open and not outcome_may_reopen(prospect=prospect, user=by):
        raise PermissionDenied(REOPEN_NOT_ALLOWED_MESSAGE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": REOPEN_REASON_REQUIRED_MESSAGE})
    current = Prospect.objects.select_for_update().get(pk=prospect.pk)
    if current.status == Status.OPEN:
        raise ValidationError(NOT_CLOSED_MESSAGE)
    Reopening.objects.create(
        prospect=current,
        reason=reason,
        previous_status=current.status,
        previous_closed_on=current.closed_on,
        previous_won_amount=current.won_amount,
        previous_lost_reason=current.lost_reason,
        by=by,
    )
    with pghistory.context(reopen_reason=reason):
        Prospect.objects.filter(pk=current.pk).update(
            status=Status.OPEN,
            closed_on=None,
            won_amount=None,
            lost_reason="",
            competitor="",
            outcome_note="",
            recontact_on=None,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        planned_restore_for_reopened(prospect_id=current.pk)
    pipeline_changed_send(owner_ids=[current.owner_id])
    prospect.refresh_from_db()
    prospect_changed_send(prospect=prospect, change="reopened")
    return prospect


# --- Re-contact of lost prospects

RECONTACT_NEXT_ACTION = _("Re-contact (lost on %(date)s)")
# Not the source: a follow-up is a revival (掘り起こし), not a new lead of the lost deal's source.
FOLLOWUP_FIELDS = ("name", "contact_person", "phone", "email", "address")


def _recontact_kind() -> ActivityKind:
    """The kind "other", as the re-contact's next action had before it was an activity (migration
    activities 0002 seeds it; made again if it is missing)."""
    kind, _created = ActivityKind.objects.get_or_create(
        code="other", defaults={"label_ja": "その他", "label_en": "Other", "position": 90}
    )
    return kind


def recontact_create_followups(*, today: dt.date | None = None) -> list[Prospect]:
    """Give each lost prospect whose re-contact date has come a new long-term prospect, exactly once.

    Catches up on missed days (recontact_on <= today). The Recontact row is the claim: inserted first,
    unique per (lost prospect, date), so a concurrent or repeated run gets an IntegrityError and skips.
    """
    today = today or timezone.localdate()
    due = (
        Prospect.objects.filter(status=Status.LOST, recontact_on__isnull=False, recontact_on__lte=today)
        .exclude(recontacts__recontact_on=F("recontact_on"))
        .select_related("owner")
        .order_by("recontact_on", "id")
    )
    created: list[Prospect] = []
    for lost in due:
        try:
            with transaction.atomic(), pghistory.context(job="recontact", origin=lost.pk):
                claim = Recontact.objects.create(lost_prospect=lost, recontact_on=lost.recontact_on)
                with translation.override(settings.LANGUAGE_CODE):
                    subject = str(RECONTACT_NEXT_ACTION) % {"date": lost.closed_on.isoformat()}
                followup = prospect_create(
                    by=lost.owner,
                    owner=lost.owner,
                    horizon=Horizon.LONG,
                    origin=lost,
                    source=Source.REVIVAL,
                    **{name: getattr(lost, name) for name in FOLLOWUP_FIELDS},
                )
                # A call planned for today puts it on the owner's agenda and home page: the in-app notice.
                # (No scope check: the job plans it for the owner, who may have been deactivated since.)
                Activity.objects.create(
                    prospect=followup,
                    owner=lost.owner,
                    kind=_recontact_kind(),
                    starts_at=local_midnight(today),
                    all_day=True,
                    subject=subject,
                )
                claim.followup = followup
                claim.save(update_fields=["followup"])
                transaction.on_commit(lambda f=followup, lost=lost: _notify_followup(f, lost), robust=True)
        except IntegrityError:
            logger.info("re-contact of prospect %s was already done", lost.pk)
            continue
        created.append(followup)
    return created


def _notify_followup(followup: Prospect, lost: Prospect) -> None:
    owner = followup.owner
    if not owner.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(_("Re-contact today: %(name)s")) % {"name": followup.name}
        body = render_to_string(
            "closing/email/recontact.txt",
            {
                "followup": followup,
                "lost": lost,
                "owner": owner,
                "path": reverse("prospects:detail", args=[followup.pk]),
            },
        )
    send_mail(subject, body, None, [owner.email])
