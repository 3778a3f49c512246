"""Writes to activities, named <entity>_<action>. The form checks what a person can fix; these
check again what must hold whoever calls (the prospect's scope, a done activity not in the future)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from activities.models import Activity, ActivityKind, ActivityPreference, ActivityStatus
from prospects.models import Prospect
from salescrm.lib.bulk import copy_insert

FUTURE_DONE_MESSAGE = _(
    "A done activity cannot be dated in the future: plan it instead, or correct the date."
)
CONFLICT_MESSAGE = _(
    "Someone else changed this activity after you opened it. Nothing was saved; review and save again."
)
NOT_PLANNED_MESSAGE = _("This activity is already done.")
CANCELLED_MESSAGE = _(
    "This activity was cancelled when its deal was closed. Reopen the deal to plan it again."
)


class ActivityConflict(Exception):
    """The activity moved on since the version the user saw."""


def local_midnight(day: dt.date) -> dt.datetime:
    """The start of `day` in the company's time zone: where an activity without a time of day sits."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def done_date_in_future(starts_at: dt.datetime, *, all_day: bool, now: dt.datetime | None = None) -> bool:
    """The rule for a done activity: it happened already (today counts for a date without a time)."""
    now = now or timezone.now()
    if all_day:
        return timezone.localdate(starts_at) > timezone.localdate(now)
    return starts_at > now


@dataclass(frozen=True)
class Plan:
    """What a planned activity needs: the next step asked for when one is marked done."""

    kind: ActivityKind
    starts_at: dt.datetime
    all_day: bool = False
    subject: str = ""
    duration_minutes: int | None = None


def activity_create(
    *,
    by: User,
    prospect: Prospect,
    kind: ActivityKind,
    starts_at: dt.datetime,
    status: str = ActivityStatus.PLANNED,
    all_day: bool = False,
    subject: str = "",
    duration_minutes: int | None = None,
    outcome: str = "",
    owner: User | None = None,
) -> Activity:
    """One activity on `prospect` for its owner (or `owner`). `prospect` must come from a scoped read
    (prospects.selectors.access_prospect); a prospect `by` may not see is refused."""
    if not Prospect.objects.visible_to(by).filter(pk=prospect.pk).exists():
        raise ValidationError(_("This prospect is not one you may see."), code="out_of_scope")
    if status == ActivityStatus.DONE and done_date_in_future(starts_at, all_day=all_day):
        raise ValidationError(FUTURE_DONE_MESSAGE, code="done_in_future")
    if duration_minutes is not None and duration_minutes < 0:
        raise ValidationError(_("The duration cannot be negative."), code="negative_duration")
    now = timezone.now()
    with pghistory.context(user=by.pk, action="activity_create"):
        return Activity.objects.create(
            prospect=prospect,
            owner=owner or prospect.owner,
            kind=kind,
            starts_at=starts_at,
            all_day=all_day,
            status=status,
            done_at=now if status == ActivityStatus.DONE else None,
            subject=subject,
            duration_minutes=duration_minutes,
            outcome=outcome,
            created_by=by,
        )


@transaction.atomic
def activity_complete(
    *,
    activity: Activity,
    by: User,
    expected_version: int | None,
    outcome: str = "",
    starts_at: dt.datetime | None = None,
    all_day: bool | None = None,
    duration_minutes: int | None = None,
    next_plan: Plan | None = None,
) -> tuple[Activity, Activity | None]:
    """Mark a planned activity done (when it really happened, if not as planned) and plan the next one
    in the same transaction: both or neither. A stale version or an activity done meanwhile is a
    conflict (a conditional UPDATE whose row count is checked)."""
    starts_at = starts_at or activity.starts_at
    all_day = activity.all_day if all_day is None else all_day
    now = timezone.now()
    if done_date_in_future(starts_at, all_day=all_day, now=now):
        raise ValidationError(FUTURE_DONE_MESSAGE, code="done_in_future")
    with pghistory.context(user=by.pk, action="activity_complete"):
        updated = Activity.objects.filter(
            pk=activity.pk, version=expected_version, status=ActivityStatus.PLANNED
        ).update(
            status=ActivityStatus.DONE,
            done_at=now,
            outcome=outcome,
            starts_at=starts_at,
            all_day=all_day,
            duration_minutes=duration_minutes if duration_minutes is not None else activity.duration_minutes,
            version=F("version") + 1,
            updated_at=now,
        )
        if updated == 0 or expected_version is None:
            raise ActivityConflict(str(CONFLICT_MESSAGE))
        activity.refresh_from_db()
        following = None
        if next_plan is not None:
            following = activity_create(
                by=by,
                prospect=activity.prospect,
                kind=next_plan.kind,
                starts_at=next_plan.starts_at,
                all_day=next_plan.all_day,
                subject=next_plan.subject,
                duration_minutes=next_plan.duration_minutes,
                owner=activity.owner,
            )
    return activity, following


@transaction.atomic
def activity_update(
    *, activity: Activity, by: User, expected_version: int | None, **changes: object
) -> Activity:
    """Edit an activity's kind, subject, date, duration or outcome under the optimistic lock."""
    editable = {"kind", "subject", "starts_at", "all_day", "duration_minutes", "outcome"}
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    starts_at = changes.get("starts_at", activity.starts_at)
    all_day = bool(changes.get("all_day", activity.all_day))
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(CANCELLED_MESSAGE, code="cancelled")
    if activity.is_done and done_date_in_future(starts_at, all_day=all_day):  # type: ignore[arg-type]
        raise ValidationError(FUTURE_DONE_MESSAGE, code="done_in_future")
    with pghistory.context(user=by.pk, action="activity_update"):
        updated = Activity.objects.filter(pk=activity.pk, version=expected_version).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()
        )
    if updated == 0 or expected_version is None:
        raise ActivityConflict(str(CONFLICT_MESSAGE))
    activity.refresh_from_db()
    return activity


def activity_delete(*, activity: Activity, by: User) -> None:
    """A planned activity that will not happen (a done one is history and stays)."""
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(CANCELLED_MESSAGE, code="cancelled")
    if activity.is_done:
        raise ValidationError(NOT_PLANNED_MESSAGE, code="done")
    with pghistory.context(user=by.pk, action="activity_delete"):
        activity.delete()


def activities_reassign_planned(*, prospect_ids: list[int], to_owner_id: int) -> int:
    """The planned activities of reassigned prospects go with them to their new owner."""
    return Activity.objects.filter(prospect_id__in=prospect_ids, status=ActivityStatus.PLANNED).update(
        owner_id=to_owner_id, version=F("version") + 1, updated_at=timezone.now()
    )


# --- Settings: morning email, calendar feed ------------------------------------------------------


def feed_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def preference_get(*, user: User) -> ActivityPreference:
    preference, _created = ActivityPreference.objects.get_or_create(user=user)
    return preference


def preference_set_morning_email(*, user: User, enabled: bool) -> ActivityPreference:
    preference = preference_get(user=user)
    preference.morning_email = enabled
    preference.save(update_fields=["morning_email", "updated_at"])
    return preference


def feed_token_reset(*, user: User) -> str:
    """A new secret for the user's calendar feed; the old URL stops working with this save. Only the
    hash is kept: the returned token is shown once."""
    token = secrets.token_urlsafe(32)
    preference = preference_get(user=user)
    preference.feed_token_hash = feed_token_digest(token)
    preference.feed_token_set_at = timezone.now()
    preference.save(update_fields=["feed_token_hash", "feed_token_set_at", "updated_at"])
    return token


def feed_token_user(token: str) -> User | None:
    """The active user whose current feed token this is, or None."""
    if not token or len(token) > 200:
        return None
    preference = (
        ActivityPreference.objects.select_related("user")
        .filter(feed_token_hash=feed_token_digest(token), user__is_active=True)
        .first()
    )
    return preference.user if preference else None


# --- The morning email ----------------------------------------------------------------------------


def morning_emails_send(*, now: dt.datetime | None = None) -> int:
    """Email each active user who opted in their overdue and today's planned activities, once per user
    and day: the MorningEmailSent row (unique per user and day) is claimed before the email goes, so a
    retried or repeated task sends nothing twice; a failed send gives the claim back and raises (the
    task retries). A day with nothing planned and nothing overdue sends nothing. Returns the count sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.db import IntegrityError
    from django.template.loader import render_to_string
    from django.utils import translation

    from activities.models import MorningEmailSent
    from activities.selectors import day_agenda

    now = now or timezone.now()
    today = timezone.localdate(now)
    users = User.objects.filter(is_active=True, activity_preference__morning_email=True).exclude(email="")
    sent = 0
    for user in users.order_by("pk"):
        agenda = day_agenda(user=user, today=today)
        if not (agenda.overdue or agenda.today_items):
            continue
        try:
            with transaction.atomic():
                MorningEmailSent.objects.create(user=user, day=today)
        except IntegrityError:
            continue  # already sent (or being sent) today
        with translation.override(settings.LANGUAGE_CODE):
            context = {"agenda": agenda, "user": user, "today": today}
            subject = render_to_string("activities/email/morning_subject.txt", context).strip()
            body = render_to_string("activities/email/morning_body.txt", context)
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            MorningEmailSent.objects.filter(user=user, day=today).delete()
            raise
        MorningEmailSent.objects.filter(user=user, day=today).update(sent_at=timezone.now())
        sent += 1
    return sent


# --- The prospect's next activity, as its form and an import plan it; closing a deal -------------


def next_activity_save(
    *,
    prospect: Prospect,
    by: User,
    activity: Activity | None,
    expected_version: int | None,
    kind: ActivityKind | None,
    day: dt.date | None,
    subject: str = "",
) -> Activity | None:
    """The prospect form's "plan the next activity" (kind, date, note): `activity` is the planned one
    the form showed (None: there was none), `expected_version` its version then. A new plan creates a
    planned activity, a changed one updates it, a cleared one (no kind, no date) deletes it; a stale
    version, or an activity done or deleted since, is an ActivityConflict. Call it in the transaction
    that saves the prospect, so a conflict saves neither. Returns the planned activity (or None)."""
    if activity is None:
        if kind is None or day is None:
            return None
        return activity_create(
            by=by, prospect=prospect, kind=kind, starts_at=local_midnight(day), all_day=True, subject=subject
        )
    if activity.status != ActivityStatus.PLANNED or expected_version is None:
        raise ActivityConflict(str(CONFLICT_MESSAGE))
    if kind is None and day is None:
        with pghistory.context(user=by.pk, action="activity_delete"):
            deleted, _rows = Activity.objects.filter(
                pk=activity.pk, version=expected_version, status=ActivityStatus.PLANNED
            ).delete()
        if not deleted:
            raise ActivityConflict(str(CONFLICT_MESSAGE))
        return None
    changes: dict[str, object] = {}
    if kind is not None and kind.pk != activity.kind_id:
        changes["kind"] = kind
    if subject != activity.subject:
        changes["subject"] = subject
    local = timezone.localtime(activity.starts_at)
    if day is not None and day != local.date():
        # A new day keeps the planned time of day (the form shows the date only).
        changes["starts_at"] = (
            local_midnight(day)
            if activity.all_day
            else timezone.make_aware(dt.datetime.combine(day, local.time()))
        )
    if not changes:  # nothing to write: the values the user sent are the current ones
        return activity
    return activity_update(activity=activity, by=by, expected_version=expected_version, **changes)


def planned_for_import(*, rows: list[tuple[int, int, str, dt.date | None, bool]]) -> int:
    """A planned activity (kind "other", the text as its subject, all day; no date: today) for each
    imported (prospect id, owner id, next action text, date, prospect open) that has no activity of
    that subject and day yet, so importing the same file twice plans it once. An activity without a
    subject is exported under its kind's label (prospects.views.LIST_COLUMNS), so that label, in either
    language, names it too. A closed prospect's is kept cancelled, as closing leaves a deal's plans
    (reopening it plans them). One read, one COPY (the import's transaction). Returns the number written."""
    if not rows:
        return 0
    existing = set()
    for prospect_id, subject, starts_at, label_ja, label_en in Activity.objects.filter(
        prospect_id__in={r[0] for r in rows},
        status__in=[ActivityStatus.PLANNED, ActivityStatus.CANCELLED],
    ).values_list("prospect_id", "subject", "starts_at", "kind__label_ja", "kind__label_en"):
        day = timezone.localdate(starts_at)
        names = {subject} if subject else {"", label_ja, label_en}
        existing.update((prospect_id, name, day) for name in names)
    kind, _created = ActivityKind.objects.get_or_create(
        code="other", defaults={"label_ja": "その他", "label_en": "Other", "position": 90}
    )
    today = timezone.localdate()
    new = []
    for prospect_id, owner_id, text, day, is_open in rows:
        day = day or today
        if (prospect_id, text, day) in existing:
            continue
        existing.add((prospect_id, text, day))
        new.append(
            Activity(
                prospect_id=prospect_id,
                owner_id=owner_id,
                kind=kind,
                subject=text,
                starts_at=local_midnight(day),
                all_day=True,
                status=ActivityStatus.PLANNED if is_open else ActivityStatus.CANCELLED,
            )
        )
    # COPY: bulk_create's INSERT of 100,000 rows was compiled in Python (docs/performance.md).
    return copy_insert(Activity, new)


def planned_cancel_for_closed(*, prospect_ids: list[int]) -> int:
    """A won or lost deal has no next step: its planned activities are cancelled (kept, off every
    agenda; the history records the change in the closing's context). Returns how many."""
    return Activity.objects.filter(prospect_id__in=prospect_ids, status=ActivityStatus.PLANNED).update(
        status=ActivityStatus.CANCELLED, version=F("version") + 1, updated_at=timezone.now()
    )


def planned_restore_for_reopened(*, prospect_id: int) -> int:
    """A reopened deal gets back the planned activities its closing cancelled. Returns how many."""
    return Activity.objects.filter(prospect_id=prospect_id, status=ActivityStatus.CANCELLED).update(
        status=ActivityStatus.PLANNED, version=F("version") + 1, updated_at=timezone.now()
    )
