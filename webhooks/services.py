"""Webhook events: the outbox write, the signed delivery with its retries, pause and re-send.

Flow: `event_emit` writes one Delivery per subscribed, active subscription in the caller's transaction
(the outbox) and asks Celery to deliver each after the commit. `delivery_attempt` (the task's body)
claims a due delivery, signs it (Standard Webhooks), POSTs it through the SSRF guard, logs the attempt
and either finishes it or schedules the next attempt with exponential backoff and jitter. A delivery
that fails for good counts against its subscription; WEBHOOKS_PAUSE_AFTER_FAILURES failed deliveries in
a row pause it and its admin is told.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from standardwebhooks.webhooks import Webhook

from accounts.models import User
from webhooks import transport
from webhooks.models import Attempt, Delivery, DeliveryState, Subscription

logger = logging.getLogger(__name__)

USER_AGENT = "salescrm-webhooks/1"
CLAIM_TOLERANCE = dt.timedelta(seconds=1)  # a countdown's task may run a moment before its due time
SWEEP_GRACE = dt.timedelta(seconds=60)  # a due delivery this late lost its publish: the sweeper sends it
SWEEP_BATCH = 500


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WEBHOOKS_TIMEOUT_SECONDS + 30)


# --- Emitting


def event_emit(event_type: str, data: dict[str, Any], *, message_id: str | None = None) -> list[int]:
    """Write the outbox rows of one event (in the caller's transaction) and deliver them after the
    commit. `message_id` makes the event idempotent (the same id twice is one delivery per
    subscription); by default a new one. Returns the ids of the deliveries to send."""
    return events_emit(event_type, [(data, message_id)])


# The active subscriptions as (id, events), read at a request's first event for the rest of it
# (subscriptions_memo); None outside a request.
_active: ContextVar[dict[str, list[tuple[int, list[str]]]] | None] = ContextVar(
    "webhooks_active_subscriptions", default=None
)


@contextmanager
def subscriptions_memo() -> Iterator[None]:
    """Within it (every request: webhooks.middleware), the active subscriptions are read once, at the
    first event, for every event after it: a web inquiry's prospect.created and inquiry.received read
    them once. A change to the subscriptions within it (subscriptions_changed) is read anew."""
    token = _active.set({})
    try:
        yield
    finally:
        _active.reset(token)


def subscriptions_changed(**_kwargs: Any) -> None:
    """Forget the memo's subscriptions (a subscription was added, edited, paused or deleted)."""
    memo = _active.get()
    if memo is not None:
        memo.clear()


def _active_subscriptions() -> list[tuple[int, list[str]]]:
    """(id, events) of the subscriptions not paused: read once in a request's memo, else each time."""
    memo = _active.get()
    if memo is not None and "active" in memo:
        return memo["active"]
    active = list(Subscription.objects.filter(is_paused=False).order_by("pk").values_list("pk", "events"))
    if memo is not None:
        memo["active"] = active
    return active


def subscribers(event_type: str) -> list[int]:
    """The active subscriptions to this event type (one query, or none after the request's first)."""
    return [pk for pk, events in _active_subscriptions() if event_type in events]


def events_emit(
    event_type: str, items: list[tuple[dict[str, Any], str | None]], *, subscriptions: list[int] | None = None
) -> list[int]:
    """event_emit for several events of one type at once: a constant number of queries (the
    subscriptions, unless given; one insert; one read of the ids)."""
    if subscriptions is None:
        subscriptions = subscribers(event_type)
    if not subscriptions or not items:
        return []
    now = timezone.now()
    rows = []
    message_ids = []
    for data, message_id in items:
        message_id = message_id or f"msg_{uuid.uuid4().hex}"
        message_ids.append(message_id)
        payload = {"type": event_type, "timestamp": now.isoformat(), "data": data}
        rows += [
            Delivery(
                subscription_id=pk,
                event_type=event_type,
                message_id=message_id,
                payload=payload,
                created_at=now,
                next_attempt_at=now,
                last_attempt_allowed=settings.WEBHOOKS_MAX_ATTEMPTS,
            )
            for pk in subscriptions
        ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        Delivery.objects.filter(
            message_id__in=message_ids, subscription_id__in=subscriptions, state=DeliveryState.PENDING
        ).values_list("pk", flat=True)
    )
    _deliver_on_commit(ids)
    return ids


def _deliver_on_commit(ids: list[int], *, countdown: float | None = None) -> None:
    from salescrm.lib.jobs import enqueue
    from webhooks.tasks import deliver

    def publish() -> None:
        for pk in ids:
            if countdown:
                # A later attempt: Celery holds it until it is due (below the broker's visibility timeout).
                _publish_later(deliver, pk, countdown)
            else:
                enqueue(deliver, delivery_id=pk)

    if ids:
        transaction.on_commit(publish, robust=True)


def _publish_later(task: Any, pk: int, countdown: float) -> None:
    try:
        task.apply_async(kwargs={"delivery_id": pk}, countdown=countdown, retry=False)
    except Exception:  # the sweeper sends it once it is due
        logger.warning("webhook delivery %s: publish of the next attempt failed", pk, exc_info=True)


# --- Delivering


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: exponential from WEBHOOKS_RETRY_BASE_SECONDS, bounded by
    WEBHOOKS_RETRY_MAX_SECONDS, with jitter (between half and all of it)."""
    ceiling = min(
        settings.WEBHOOKS_RETRY_MAX_SECONDS, settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** (attempt - 1)
    )
    return random.uniform(ceiling / 2, ceiling)


def signed_request(delivery: Delivery, secret: str, now: dt.datetime) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signature = Webhook(secret).sign(msg_id=delivery.message_id, timestamp=now, data=body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body, headers


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take a due delivery for one attempt: a conditional UPDATE moves its due time to the end of a
    lease, so a duplicate task, the sweeper or a second worker finds nothing to do."""
    active = Q(forced=True) | Q(subscription__is_paused=False)
    return bool(
        Delivery.objects.filter(
            active,
            pk=delivery_id,
            state=DeliveryState.PENDING,
            next_attempt_at__lte=now + CLAIM_TOLERANCE,
            attempts__lt=F("last_attempt_allowed"),
        ).update(next_attempt_at=now + _lease(), attempts=F("attempts") + 1)
    )


def delivery_attempt(delivery_id: int) -> str:
    """One attempt of a due delivery; what happened ("skipped", "succeeded", "retry", "failed")."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if delivery is None:  # its subscription was deleted meanwhile
        return "skipped"
    subscription = delivery.subscription
    body, headers = signed_request(delivery, subscription.secret, now)
    final = False
    try:
        response = transport.post(subscription.url, body, headers, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    except transport.AddressRefused as exc:
        response = transport.Response(None, "", str(exc), 0)
        final = True  # the same address would be refused again
    except (OSError, UnicodeError) as exc:
        response = transport.Response(None, "", f"{type(exc).__name__}: {exc}"[:300], 0)
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            duration_ms=response.duration_ms,
            status_code=response.status,
            succeeded=response.ok,
            error=response.error,
            response_excerpt=response.excerpt,
            manual=delivery.forced,
        )
        if response.ok:
            _finish(delivery, DeliveryState.SUCCEEDED)
            Subscription.objects.filter(pk=subscription.pk, consecutive_failures__gt=0).update(
                consecutive_failures=0
            )
            return "succeeded"
        if not final and delivery.attempts < delivery.last_attempt_allowed:
            delay = retry_delay(delivery.attempts)
            Delivery.objects.filter(pk=delivery.pk).update(
                next_attempt_at=timezone.now() + dt.timedelta(seconds=delay)
            )
            _deliver_on_commit([delivery.pk], countdown=delay)
            return "retry"
        _finish(delivery, DeliveryState.FAILED)
        _count_failure(subscription)
    return "failed"


def _finish(delivery: Delivery, state: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(state=state, next_attempt_at=None, forced=False)


PAUSED_REASON = _("%(count)d failed deliveries in a row")


def _count_failure(subscription: Subscription) -> None:
    Subscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    failures = Subscription.objects.values_list("consecutive_failures", flat=True).get(pk=subscription.pk)
    limit = settings.WEBHOOKS_PAUSE_AFTER_FAILURES
    if limit and failures >= limit:
        subscriptions_changed()
        paused = Subscription.objects.filter(pk=subscription.pk, is_paused=False).update(
            is_paused=True, paused_reason=str(PAUSED_REASON % {"count": failures})
        )
        if paused:  # once: a concurrent failure finds it paused already
            transaction.on_commit(lambda: _tell_admin(subscription.pk, failures), robust=True)


def _tell_admin(subscription_id: int, failures: int) -> None:
    from webhooks import notices

    notices.subscription_paused(subscription_id, failures)


def sweep_due(*, now: dt.datetime | None = None) -> int:
    """Send the pending deliveries whose publish never arrived (the broker was down at the commit, a
    worker died during an attempt); fail those that used their last attempt. Beat runs it every minute."""
    now = now or timezone.now()
    late = Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now - SWEEP_GRACE)
    late.filter(attempts__gte=F("last_attempt_allowed")).update(
        state=DeliveryState.FAILED, next_attempt_at=None, forced=False
    )
    ids = list(
        late.filter(Q(forced=True) | Q(subscription__is_paused=False))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    # Due again only after another grace period: a backlogged or stopped worker does not get the same
    # delivery queued once a minute (its claim would skip the copies, but the queue would swell).
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    from salescrm.lib.jobs import enqueue
    from webhooks.tasks import deliver

    for pk in ids:
        enqueue(deliver, delivery_id=pk)
    return len(ids)


# --- What an admin does


def subscription_create(*, by: User, url: str, events: list[str], description: str = "") -> Subscription:
    return Subscription.objects.create(created_by=by, url=url, events=events, description=description)


def subscription_pause(*, subscription: Subscription, by: User) -> None:
    subscriptions_changed()
    Subscription.objects.filter(pk=subscription.pk).update(
        is_paused=True, paused_reason=str(_("Paused by %(name)s") % {"name": by.display_name})
    )


@transaction.atomic
def subscription_resume(*, subscription: Subscription) -> int:
    """Active again, its failure count reset; its pending deliveries go now. Returns how many."""
    subscriptions_changed()
    Subscription.objects.filter(pk=subscription.pk).update(
        is_paused=False, paused_reason="", consecutive_failures=0
    )
    pending = Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING)
    pending.update(next_attempt_at=timezone.now())
    ids = list(pending.values_list("pk", flat=True))
    _deliver_on_commit(ids)
    return len(ids)


@transaction.atomic
def subscription_new_secret(*, subscription: Subscription) -> None:
    from webhooks.models import new_secret

    Subscription.objects.filter(pk=subscription.pk).update(secret=new_secret())


@transaction.atomic
def delivery_resend(*, delivery: Delivery) -> None:
    """One more attempt of this delivery, now, even if it failed or its subscription is paused; the
    same message id and payload (a receiver that got it already can drop it)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING,
        next_attempt_at=timezone.now(),
        last_attempt_allowed=F("attempts") + 1,
        forced=True,
    )
    _deliver_on_commit([delivery.pk])
